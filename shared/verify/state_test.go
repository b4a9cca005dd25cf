package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

func TestTransition(t *testing.T) {
	regressed := recommend.Verification{At: testNow, Regressed: true, Enough: true, Checks: []recommend.Check{
		{Signal: SignalErrorRate, Test: "two-proportion z", Statistic: 5.5, P: 1e-8, Alpha: 0.0025, Effect: 0.13,
			MinEffect: 0.02, Unit: UnitShare, Regressed: true, Before: recommend.Window{N: 240}, After: recommend.Window{N: 200}},
		{Signal: SignalLatency, P: 0.4, Before: recommend.Window{N: 235}, After: recommend.Window{N: 170}},
	}}
	clean := recommend.Verification{At: testNow, Enough: true, Checks: regressed.Checks[1:]}
	thin := recommend.Verification{At: testNow, Checks: clean.Checks}
	regressedThin := regressed
	regressedThin.Enough = false
	cases := []struct {
		from   recommend.State
		v      recommend.Verification
		to     recommend.State
		reason string // a part of it; "" when no transition
	}{
		{recommend.Applied, regressed, recommend.Regressed,
			"error_rate regressed (two-proportion z: statistic 5.5, p 1e-08 < α 0.0025, effect +0.13 share of calls, min +0.02, n before 240, n after 200)"},
		{recommend.Verified, regressed, recommend.Regressed, "verification at 2026-10-03T00:00:00Z: error_rate regressed"},
		{recommend.Applied, regressedThin, recommend.Regressed, "error_rate regressed"},
		{recommend.Regressed, regressed, recommend.Regressed, ""},
		{recommend.Applied, clean, recommend.Verified, "no check regressed with enough traffic (latency n before 235, n after 170)"},
		{recommend.Verified, clean, recommend.Verified, ""},
		{recommend.Regressed, clean, recommend.Regressed, ""},
		{recommend.Applied, thin, recommend.Applied, ""},
	}
	for _, tc := range cases {
		to, reason := transition(tc.from, tc.v)
		if to != tc.to || (tc.reason == "") != (reason == "") || !strings.Contains(reason, tc.reason) {
			t.Errorf("%s (regressed %v, enough %v) → %s %q, want %s containing %q",
				tc.from, tc.v.Regressed, tc.v.Enough, to, reason, tc.to, tc.reason)
		}
		if to != tc.from && !recommend.Allowed(tc.from, to) {
			t.Errorf("%s → %s is not an allowed transition", tc.from, to)
		}
	}
}

func TestAuditIDIsStableAndValid(t *testing.T) {
	rec := id.New(recommend.IDPrefix)
	a := auditID(rec, ActionRegressed, testNow)
	cases := []struct {
		name  string
		other string
		same  bool
	}{
		{"same inputs", auditID(rec, ActionRegressed, testNow), true},
		{"same instant in another zone", auditID(rec, ActionRegressed, testNow.In(time.FixedZone("x", 3600))), true},
		{"another action", auditID(rec, ActionRollback, testNow), false},
		{"another time", auditID(rec, ActionRegressed, testNow.Add(time.Microsecond)), false},
		{"another recommendation", auditID(id.New(recommend.IDPrefix), ActionRegressed, testNow), false},
	}
	if !id.Valid(audit.IDPrefix, a) {
		t.Fatalf("%q is not a valid audit ID", a)
	}
	for _, tc := range cases {
		if (tc.other == a) != tc.same {
			t.Errorf("%s: %q vs %q", tc.name, tc.other, a)
		}
	}
}

func TestWindows(t *testing.T) {
	v := &Verifier{cfg: Config{Before: 7 * 24 * time.Hour, MaxAfter: 7 * 24 * time.Hour}}
	r := recommend.Recommendation{Apply: &recommend.Apply{At: at}}
	day := 24 * time.Hour
	cases := []struct {
		name  string
		now   time.Time
		after span
	}{
		{"two days after", at.Add(2 * day), span{at, at.Add(2 * day)}},
		{"a month after: the last week", at.Add(30 * day), span{at.Add(23 * day), at.Add(30 * day)}},
		{"at the apply: empty", at, span{at, at}},
		{"before the apply (a skewed clock): empty", at.Add(-time.Hour), span{at.Add(-time.Hour), at.Add(-time.Hour)}},
	}
	for _, tc := range cases {
		before, after := v.windows(r, tc.now)
		if before != (span{at.Add(-7 * day), at}) || after != tc.after {
			t.Errorf("%s: before %v, after %v, want after %v", tc.name, before, after, tc.after)
		}
	}
}

func TestParams(t *testing.T) {
	v := &Verifier{cfg: Config{MinN: 30, Alpha: 0.01, MinErrorIncrease: 0.02, MinLatencyIncrease: 0.25,
		MinCostExcess: 0.2, FeedbackDelta: 0.05}}
	cases := []struct {
		name      string
		cost      recommend.Cost
		delta     float64
		ratio     float64
		known     bool
		wantDelta float64
	}{
		{"the evaluation's ratio and δ", recommend.Cost{BaselinePerRequestNano: 2000, CandidatePerRequestNano: 500}, 0.1, 0.25, true, 0.1},
		{"no baseline cost: ratio unknown", recommend.Cost{CandidatePerRequestNano: 500}, 0.1, 1, false, 0.1},
		{"no δ: the configured one", recommend.Cost{BaselinePerRequestNano: 1000, CandidatePerRequestNano: 1000}, 0, 1, true, 0.05},
		{"a δ out of range: the configured one", recommend.Cost{BaselinePerRequestNano: 1000, CandidatePerRequestNano: 300}, 3, 0.3, true, 0.05},
	}
	for _, tc := range cases {
		p := v.params(recommend.Recommendation{Cost: tc.cost, Evidence: recommend.Evidence{Delta: tc.delta}})
		if p.costRatio != tc.ratio || p.ratioKnown != tc.known || p.delta != tc.wantDelta {
			t.Errorf("%s: %+v", tc.name, p)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	stores := Config{
		Actions: &recommend.Actions{Store: recommend.NewStore("t", nil), Aliases: workspace.NewStore(workspace.Config{Table: "t"})},
		Traces:  trace.NewStore("t", nil), Feedback: feedback.NewStore("t"), Audit: audit.New(audit.Config{Table: "t"}),
		Runs: evalrun.New("t", nil),
	}
	cases := []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"defaults", func(*Config) {}, true},
		{"no audit", func(c *Config) { c.Audit = nil }, false},
		{"no runs", func(c *Config) { c.Runs = nil }, false},
		{"negative shadow runs", func(c *Config) { c.MaxShadowRuns = -1 }, false},
		{"negative shadow results", func(c *Config) { c.MaxShadowResults = -5 }, false},
		{"no aliases", func(c *Config) { c.Actions = &recommend.Actions{Store: c.Actions.Store} }, false},
		{"min n 1", func(c *Config) { c.MinN = 1 }, false},
		{"alpha 1", func(c *Config) { c.Alpha = 1 }, false},
		{"negative window", func(c *Config) { c.Before = -time.Hour }, false},
		{"negative min effect", func(c *Config) { c.MinCostExcess = -0.1 }, false},
	}
	for _, tc := range cases {
		cfg := stores
		tc.edit(&cfg)
		v, err := New(cfg)
		if (err == nil) != tc.ok {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.name == "defaults" {
			c := v.cfg
			if c.Before != DefaultBefore || c.MaxAfter != DefaultMaxAfter || c.Slice != DefaultSlice ||
				c.MaxTraces != DefaultMaxTraces || c.MinN != DefaultMinN || c.Alpha != DefaultAlpha ||
				c.MinErrorIncrease != DefaultMinErrorIncrease || c.MinLatencyIncrease != DefaultMinLatencyIncrease ||
				c.MinCostExcess != DefaultMinCostExcess || c.FeedbackDelta != 0.05 || c.Logger == nil ||
				c.MaxShadowRuns != DefaultMaxShadowRuns || c.MaxShadowResults != DefaultMaxShadowResults {
				t.Fatalf("defaults: %+v", c)
			}
		}
	}
}

func TestAssemble(t *testing.T) {
	cases := []struct {
		table string
		clock func() time.Time
		ok    bool
	}{
		{"tollgate", nil, true},
		{"tollgate", func() time.Time { return at }, true},
		{"", nil, false},
	}
	for _, tc := range cases {
		v, err := Assemble(tc.table, tc.clock, nil)
		if (err == nil) != tc.ok || (tc.ok && (v.cfg.Actions.Store == nil || v.cfg.Runs == nil || v.cfg.MinN != DefaultMinN || v.cfg.Logger == nil)) {
			t.Errorf("Assemble(%q): %+v %v", tc.table, v, err)
		}
	}
}
