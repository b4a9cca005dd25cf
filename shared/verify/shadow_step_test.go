package verify_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/evalplan"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/verify"
)

// shadowEval is one evaluation run a test creates on rec's workspace.
type shadowEval struct {
	source, baseline, candidate string
	created                     time.Time
	n                           int     // scored items, besides one errored and one dead-lettered
	old, live                   float64 // mean scores of the run's candidate and baseline (sd 0.1)
	complete                    bool    // completed, or left running
}

// oldAgainstLive is a shadow evaluation of rec's old model against the
// alias's live answers a day after the apply, completed.
func oldAgainstLive(rec recommend.Recommendation, n int, old, live float64) shadowEval {
	return shadowEval{source: "shadow:" + rec.Alias, baseline: evalplan.LiveBaseline, candidate: rec.Baseline,
		created: tApply.Add(24 * time.Hour), n: n, old: old, live: live, complete: true}
}

// evaluation creates s as the evaluation service would, at s.created, and
// records its results: n scored items with item 5 errored and item 10
// dead-lettered.
func (e *env) evaluation(t *testing.T, rec recommend.Recommendation, s shadowEval, seed uint64) evalrun.Run {
	t.Helper()
	e.clk.Set(s.created)
	run, err := e.runs.Create(e.ctx, e.sc.DynamoDB, evalrun.Run{Org: e.org, Workspace: rec.Workspace,
		Baseline: s.baseline, Candidate: s.candidate, Source: s.source, BaselineTarget: candidate.String(),
		Alias: rec.Alias, Scorer: "judge", Mode: "grade", Items: int64(s.n + 2), CapNano: 10_000_000})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.runs.Move(e.ctx, e.sc.DynamoDB, e.org, run.ID, evalrun.Pending, evalrun.Running, "started"); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5ad0))
	score := func(m float64) float64 { return min(max(m+0.1*rng.NormFloat64(), 0), 1) }
	for i := range int64(s.n + 2) {
		res := evalrun.Result{Index: i, Baseline: score(s.live), Candidate: score(s.old), CostNano: 40}
		switch i {
		case 5:
			res.Error = "provider_error"
		case 10:
			res.Dead = true
		}
		if _, err := e.runs.Record(e.ctx, e.sc.DynamoDB, e.org, run.ID, res); err != nil {
			t.Fatal(err)
		}
	}
	if s.complete {
		if err := e.runs.Move(e.ctx, e.sc.DynamoDB, e.org, run.ID, evalrun.Running, evalrun.Completed, "done"); err != nil {
			t.Fatal(err)
		}
	}
	return run
}

// Shadow evaluations since the apply that score the old model against the
// alias's live answers feed shadow_score: a live model clearly worse than
// the old one regresses the recommendation, equal scores verify it (a
// running evaluation counts once it has results), and evaluations that do
// not speak for the change leave the check out of the family.
func TestShadowScoresAfterTheApply(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		evals   func(rec recommend.Recommendation) []shadowEval
		state   recommend.State
		present bool
		n       int64
	}{
		{name: "the live model clearly worse", state: recommend.Regressed, present: true, n: 200,
			evals: func(rec recommend.Recommendation) []shadowEval {
				return []shadowEval{oldAgainstLive(rec, 200, 0.85, 0.6)}
			}},
		{name: "equal scores, still running", state: recommend.Verified, present: true, n: 200,
			evals: func(rec recommend.Recommendation) []shadowEval {
				s := oldAgainstLive(rec, 200, 0.8, 0.8)
				s.complete = false
				return []shadowEval{s}
			}},
		{name: "no evaluation of the change", state: recommend.Verified,
			evals: func(rec recommend.Recommendation) []shadowEval {
				before := oldAgainstLive(rec, 60, 0.85, 0.2)
				before.created = tApply.Add(-time.Hour)
				dataset := oldAgainstLive(rec, 60, 0.85, 0.2)
				dataset.source = "dataset:ds_00000000000000000000"
				newModel := oldAgainstLive(rec, 60, 0.85, 0.2)
				newModel.candidate = rec.Candidate
				return []shadowEval{before, dataset, newModel}
			}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			rec := e.applied(t, false)
			e.traffic(t, rec, candidateTraffic(), 80+uint64(i))
			var created []evalrun.Run
			for j, s := range tc.evals(rec) {
				created = append(created, e.evaluation(t, rec, s, 90+uint64(10*i+j)))
			}

			e.step(t, passAt)
			r := e.get(t, rec)
			if r.State != tc.state {
				t.Fatalf("state %s: %+v", r.State, r.Verification)
			}
			k := 4
			if tc.present {
				k = 5
			}
			for _, c := range r.Verification.Checks {
				if c.Alpha != 0.01/float64(k) {
					t.Fatalf("%s alpha %g, want 0.01/%d", c.Signal, c.Alpha, k)
				}
			}
			if !tc.present {
				if len(r.Verification.Checks) != 4 {
					t.Fatalf("checks %+v", r.Verification.Checks)
				}
				onlyRegressed(t, r.Verification)
				return
			}
			c := check(t, r.Verification, verify.SignalShadow)
			if c.Before.N != tc.n || c.After.N != tc.n || c.Unit != verify.UnitScore || c.MinEffect != 0.05 ||
				!c.Before.From.Equal(created[0].Created) || !c.Before.To.Equal(created[0].Created) ||
				!strings.Contains(c.Test, "confidence sequence") || c.Note != "" {
				t.Fatalf("shadow check %+v", c)
			}
			if tc.state != recommend.Regressed {
				onlyRegressed(t, r.Verification)
				if c.P != 1 || c.Statistic >= 0.05 {
					t.Fatalf("shadow check %+v", c)
				}
				return
			}
			onlyRegressed(t, r.Verification, verify.SignalShadow)
			if c.Statistic <= 0.05 || !(c.P <= c.Alpha) || c.Effect < 0.2 || c.Effect > 0.3 ||
				c.Before.Mean < 0.8 || c.After.Mean > 0.65 {
				t.Fatalf("shadow evidence %+v", c)
			}
			h := e.history(t, rec)
			if len(h) != 3 || h[2].To != recommend.Regressed || !strings.Contains(h[2].Reason, "shadow_score regressed (") {
				t.Fatalf("history %+v", h)
			}
			entries := e.audited(t, rec, verify.ActionRegressed)
			if len(entries) != 1 {
				t.Fatalf("%d regression audit entries", len(entries))
			}
			checkRegressionEntry(t, entries[0], rec, c)
		})
	}
}
