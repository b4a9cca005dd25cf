package verify_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/verify"
)

// A pass stopped after marking a recommendation regressed but before its
// audit entry: the next pass writes the entry from the recorded
// transition, at the transition's time, and later passes add none.
func TestInterruptedRegressionIsAuditedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := e.applied(t, false)
	const reason = "verification at 2026-10-03T00:00:00Z: error_rate regressed (two-proportion z: statistic 5.1, p 1.7e-07 < α 0.0025)"
	e.clk.Set(passAt)
	if _, err := e.recs.Update(e.ctx, e.sc.DynamoDB, e.get(t, rec), verify.Actor, reason, func(x *recommend.Recommendation) {
		x.State = recommend.Regressed
	}); err != nil {
		t.Fatal(err)
	}
	h := e.history(t, rec)

	for _, at := range []time.Time{passAt.Add(time.Hour), passAt.Add(2 * time.Hour)} {
		e.step(t, at)
		entries := e.audited(t, rec, verify.ActionRegressed)
		if len(entries) != 1 {
			t.Fatalf("at %s: %d regression entries", at, len(entries))
		}
		got := entries[0]
		if !got.Time.Equal(h[2].Time) || got.After["reason"] != reason || got.After["rebuilt_from_history"] != true ||
			got.Before["state"] != string(recommend.Applied) {
			t.Fatalf("entry %+v, want it at the transition's time %s", got, h[2].Time)
		}
		if r := e.get(t, rec); r.State != recommend.Regressed || !r.Verification.At.Equal(at) {
			t.Fatalf("at %s: %s %+v", at, r.State, r.Verification)
		}
	}
}

// One recommendation failing (its auto-rollback cannot find the alias
// version to restore) is reported, and the org's other recommendation is
// still verified in the same step.
func TestOneFailureDoesNotStopTheOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := e.applied(t, false)
	ws := id.New(id.Workspace)
	bad, _, err := e.recs.Create(e.ctx, e.sc.DynamoDB, recommend.Recommendation{Org: e.org, Workspace: ws, Run: id.New("run_"),
		Alias: "support", Baseline: baseline.String(), Candidate: candidate.String(), Scorer: "exact_match", Cost: predicted})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []recommend.State{recommend.Applied, recommend.Regressed} {
		if bad, err = e.recs.Update(e.ctx, e.sc.DynamoDB, bad, "usr_alice", "set up", func(x *recommend.Recommendation) {
			x.State = to
			x.Apply = &recommend.Apply{Version: 2, Previous: 99, By: "usr_alice", At: tApply, AutoRollback: true}
		}); err != nil {
			t.Fatal(err)
		}
	}

	e.clk.Set(passAt)
	err = e.v.Step(e.ctx, e.org, e.sc, passAt)
	if err == nil || !strings.Contains(err.Error(), "recommendation "+bad.ID) || strings.Contains(err.Error(), good.ID) {
		t.Fatalf("step error %v, want one naming %s only", err, bad.ID)
	}
	if errors.Is(err, recommend.ErrAliasChangedSince) {
		t.Fatalf("a missing version is not an edited alias: %v", err)
	}
	if r := e.get(t, good); r.Verification == nil || !r.Verification.At.Equal(passAt) {
		t.Fatalf("the other recommendation was not verified: %+v", r.Verification)
	}
	if r := e.get(t, bad); r.State != recommend.Regressed || r.Verification == nil {
		t.Fatalf("the failing recommendation: %s %+v", r.State, r.Verification)
	}
	if !strings.Contains(e.logs.String(), `"msg":"verification failed; tried again next pass"`) {
		t.Fatalf("failure not logged:\n%s", e.logs.String())
	}
}
