package verify_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/verify"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// passAt is when the tests verify: two days after the apply, when the
// after window holds all of its traffic.
var passAt = tApply.Add(afterSpan)

// Three changes behaving as predicted (three seeds, three workspaces of
// one org): an hour after the apply there is too little traffic and
// nothing moves; two days after, each is verified; a later pass keeps
// them verified without another transition, and nothing is audited.
func TestUnchangedBehaviourIsVerified(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var recs []recommend.Recommendation
	for seed := range uint64(3) {
		rec := e.applied(t, false)
		e.traffic(t, rec, candidateTraffic(), 10+seed)
		recs = append(recs, rec)
	}

	e.step(t, tApply.Add(time.Hour))
	for _, rec := range recs {
		r := e.get(t, rec)
		if r.State != recommend.Applied || r.Verification == nil || r.Verification.Enough || r.Verification.Regressed {
			t.Fatalf("an hour in: %s %+v", r.State, r.Verification)
		}
		if c := check(t, r.Verification, verify.SignalErrorRate); c.Note != "n after = 4 < 30" || c.After.N != 4 || c.Before.N != beforeCalls {
			t.Fatalf("an hour in: %+v", c)
		}
	}

	e.step(t, passAt)
	e.step(t, passAt.Add(time.Hour))
	for _, rec := range recs {
		r := e.get(t, rec)
		if r.State != recommend.Verified || !r.Verification.Enough || !r.Verification.At.Equal(passAt.Add(time.Hour)) {
			t.Fatalf("after two days: %s %+v", r.State, r.Verification)
		}
		onlyRegressed(t, r.Verification)
		for _, c := range r.Verification.Checks {
			if c.Alpha != 0.01/4 || c.Note != "" {
				t.Fatalf("check %+v", c)
			}
		}
		if c := check(t, r.Verification, verify.SignalCost); c.Expected < 0.2*c.Before.Mean || c.Expected > 0.3*c.Before.Mean {
			t.Fatalf("cost expectation %+v", c)
		}
		h := e.history(t, rec)
		if len(h) != 3 || h[2].From != recommend.Applied || h[2].To != recommend.Verified || h[2].By != verify.Actor ||
			!strings.Contains(h[2].Reason, "no check regressed") {
			t.Fatalf("history %+v", h)
		}
		if n := len(e.audited(t, rec, verify.ActionRegressed)); n != 0 {
			t.Fatalf("%d regression audit entries", n)
		}
	}
}

// Each injected regression is flagged on its own signal, with its
// evidence, and audited once; a later pass refreshes the verification
// without another transition or audit entry.
func TestInjectedRegressionsAreFlagged(t *testing.T) {
	t.Parallel()
	cases := []struct {
		signal string
		inject func(*stream)
		effect [2]float64 // the range the check's effect should fall in
	}{
		{verify.SignalErrorRate, func(s *stream) { s.errRate = 0.15 }, [2]float64{0.08, 0.2}},
		{verify.SignalLatency, func(s *stream) { s.latencyMS *= 2 }, [2]float64{0.7, 1.3}},
		{verify.SignalCost, func(s *stream) { s.costNano *= 1.5 }, [2]float64{0.3, 0.7}},
		{verify.SignalFeedback, func(s *stream) { s.score -= 0.2 }, [2]float64{-0.25, -0.15}},
	}
	for i, tc := range cases {
		t.Run(tc.signal, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			rec := e.applied(t, false)
			after := candidateTraffic()
			tc.inject(&after)
			e.traffic(t, rec, after, 20+uint64(i))

			e.step(t, passAt)
			r := e.get(t, rec)
			if r.State != recommend.Regressed {
				t.Fatalf("state %s: %+v", r.State, r.Verification)
			}
			onlyRegressed(t, r.Verification, tc.signal)
			c := check(t, r.Verification, tc.signal)
			if !(c.P < c.Alpha) || c.Alpha != 0.01/4 || c.Effect < tc.effect[0] || c.Effect > tc.effect[1] ||
				!c.Before.From.Equal(tApply.Add(-7*24*time.Hour)) || !c.Before.To.Equal(tApply) ||
				!c.After.From.Equal(tApply) || !c.After.To.Equal(passAt) || c.Before.N < 30 || c.After.N < 30 {
				t.Fatalf("evidence %+v", c)
			}
			h := e.history(t, rec)
			if len(h) != 3 || h[2].From != recommend.Applied || h[2].To != recommend.Regressed || h[2].By != verify.Actor ||
				!strings.Contains(h[2].Reason, tc.signal+" regressed (") {
				t.Fatalf("history %+v", h)
			}
			entries := e.audited(t, rec, verify.ActionRegressed)
			if len(entries) != 1 {
				t.Fatalf("%d regression audit entries", len(entries))
			}
			checkRegressionEntry(t, entries[0], rec, c)

			e.step(t, passAt.Add(time.Hour))
			again := e.get(t, rec)
			if again.State != recommend.Regressed || !again.Verification.At.Equal(passAt.Add(time.Hour)) {
				t.Fatalf("second pass: %s %+v", again.State, again.Verification)
			}
			if h2 := e.history(t, rec); len(h2) != 3 {
				t.Fatalf("second pass added transitions: %+v", h2)
			}
			if n := len(e.audited(t, rec, verify.ActionRegressed)); n != 1 {
				t.Fatalf("second pass: %d regression audit entries", n)
			}
		})
	}
}

// checkRegressionEntry checks entry records rec's regression with c's
// numbers, as the system, and nothing but names and numbers.
func checkRegressionEntry(t *testing.T, entry audit.Entry, rec recommend.Recommendation, c recommend.Check) {
	t.Helper()
	if entry.Actor != verify.Actor || entry.ActorKind != audit.ActorSystem || entry.TargetType != "recommendation" ||
		entry.TargetID != rec.ID || entry.Workspace != rec.Workspace || entry.Result != audit.ResultOK ||
		entry.Before["state"] != string(recommend.Applied) || entry.After["state"] != string(recommend.Regressed) {
		t.Fatalf("entry %+v", entry)
	}
	checks, _ := entry.After["checks"].([]any)
	if len(checks) != 1 {
		t.Fatalf("entry checks %+v", entry.After)
	}
	got, _ := checks[0].(map[string]any)
	p, _ := got["p"].(json.Number).Float64()
	nAfter, _ := got["n_after"].(json.Number).Int64()
	if got["signal"] != c.Signal || p != c.P || nAfter != c.After.N {
		t.Fatalf("entry check %+v, want %+v", got, c)
	}
}

// With auto-rollback, the drift job's pass flags the regression and rolls
// the alias back to the targets it had before the apply, audited; running
// the step, or the whole job, again changes nothing.
func TestAutoRollbackThroughTheDriftJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	register(t, e.org)
	rec := e.applied(t, true)
	after := candidateTraffic()
	after.errRate = 0.15
	e.traffic(t, rec, after, 30)

	job := driftJob(t, e)
	e.clk.Set(passAt.Add(20 * time.Minute))
	runToEnd(t, job, e)

	r := e.get(t, rec)
	al := e.alias(t, rec)
	if r.State != recommend.RolledBack || r.Rollback == nil || r.Rollback.To != 1 || r.Rollback.Version != 3 ||
		r.Rollback.By != verify.Actor || !strings.HasPrefix(r.Rollback.Reason, "automatic rollback: verification at ") {
		t.Fatalf("recommendation %s %+v", r.State, r.Rollback)
	}
	if al.Version != 3 || !reflect.DeepEqual(al.Targets, []workspace.Target{baseline, fallback}) {
		t.Fatalf("alias %+v, want the pre-apply targets at version 3", al)
	}
	states := []recommend.State{recommend.Open, recommend.Applied, recommend.Regressed, recommend.RolledBack}
	h := e.history(t, rec)
	if len(h) != len(states) {
		t.Fatalf("history %+v", h)
	}
	for i, s := range states {
		if h[i].To != s {
			t.Fatalf("history %+v", h)
		}
	}
	reg, rb := e.audited(t, rec, verify.ActionRegressed), e.audited(t, rec, verify.ActionRollback)
	if len(reg) != 1 || len(rb) != 1 {
		t.Fatalf("audit: %d regressed, %d rollback entries", len(reg), len(rb))
	}
	if rb[0].ActorKind != audit.ActorSystem || rb[0].Actor != verify.Actor || rb[0].Before["state"] != "regressed" ||
		rb[0].After["state"] != "rolled_back" || rb[0].After["restored_version"] != json.Number("1") ||
		rb[0].After["alias_version"] != json.Number("3") {
		t.Fatalf("rollback entry %+v", rb[0])
	}

	e.step(t, passAt.Add(40*time.Minute))
	e.clk.Set(passAt.Add(50 * time.Minute))
	runToEnd(t, job, e)
	if again := e.get(t, rec); !reflect.DeepEqual(again, r) {
		t.Fatalf("a rerun changed the recommendation:\n%+v\n%+v", r, again)
	}
	if again := e.alias(t, rec); !reflect.DeepEqual(again, al) {
		t.Fatalf("a rerun changed the alias: %+v", again)
	}
	if len(e.history(t, rec)) != len(states) || len(e.audited(t, rec, verify.ActionRegressed)) != 1 ||
		len(e.audited(t, rec, verify.ActionRollback)) != 1 {
		t.Fatal("a rerun added transitions or audit entries")
	}
}

// When someone edited the alias after the apply, auto-rollback must not
// undo their edit: the recommendation stays regressed, the alias as they
// left it, and the refusal is logged; later passes keep it that way.
func TestAutoRollbackLeavesAnEditedAlias(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := e.applied(t, true)
	edited, err := e.aliases.SaveAlias(e.ctx, e.sc.DynamoDB, e.org, rec.Workspace, rec.Alias,
		[]workspace.Target{candidate}, "usr_bob", tApply.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	after := candidateTraffic()
	after.errRate = 0.15
	e.traffic(t, rec, after, 40)

	for _, at := range []time.Time{passAt, passAt.Add(time.Hour)} {
		e.step(t, at)
		r := e.get(t, rec)
		if r.State != recommend.Regressed || r.Rollback != nil || !check(t, r.Verification, verify.SignalErrorRate).Regressed {
			t.Fatalf("at %s: %s %+v", at, r.State, r.Verification)
		}
		if al := e.alias(t, rec); !reflect.DeepEqual(al, edited) {
			t.Fatalf("at %s the alias is %+v, want %+v", at, al, edited)
		}
		if reg, rb := e.audited(t, rec, verify.ActionRegressed), e.audited(t, rec, verify.ActionRollback); len(reg) != 1 || len(rb) != 0 {
			t.Fatalf("audit: %d regressed, %d rollback entries", len(reg), len(rb))
		}
	}
	if n := strings.Count(e.logs.String(), "automatic rollback refused"); n != 2 {
		t.Fatalf("%d refusals logged:\n%s", n, e.logs.String())
	}
}

// Twelve calls after the change decide nothing: the recommendation stays
// applied and each check's note says why.
func TestTooLittleTrafficChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := e.applied(t, false)
	after := candidateTraffic()
	after.errRate = 0 // every call ok, so every check sees the same 12
	e.record(t, rec, baselineTraffic(), tApply.Add(-7*24*time.Hour), 7*24*time.Hour, beforeCalls, 50)
	e.record(t, rec, after, tApply, afterSpan, 12, 51)

	e.step(t, passAt)
	r := e.get(t, rec)
	if r.State != recommend.Applied || r.Verification == nil || r.Verification.Enough || r.Verification.Regressed {
		t.Fatalf("%s %+v", r.State, r.Verification)
	}
	for _, c := range r.Verification.Checks {
		if c.Regressed || c.P != 1 || c.Statistic != 0 || c.Alpha != 0.01 || !strings.HasSuffix(c.Note, " < 30") {
			t.Fatalf("check %+v", c)
		}
	}
	if c := check(t, r.Verification, verify.SignalErrorRate); c.Note != "n after = 12 < 30" {
		t.Fatalf("note %q", c.Note)
	}
	if h := e.history(t, rec); len(h) != 2 {
		t.Fatalf("history %+v", h)
	}
}

// A read bounded below the traffic uses a sample of every slice of both
// windows and says so.
func TestCappedReadsAreNoted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *verify.Config) { c.MaxTraces = 70 })
	rec := e.applied(t, false)
	e.traffic(t, rec, candidateTraffic(), 60)

	e.step(t, passAt)
	c := check(t, e.get(t, rec).Verification, verify.SignalErrorRate)
	if c.Before.N != 70 || c.After.N != 70 ||
		!strings.Contains(c.Note, "before window sampled: at most 10 calls read per 24 h of it") ||
		!strings.Contains(c.Note, "after window sampled: at most 35 calls read per 24 h of it") {
		t.Fatalf("check %+v", c)
	}
}
