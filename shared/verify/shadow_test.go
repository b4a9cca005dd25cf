package verify

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/evalplan"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/stats"
)

// shadowSpan is the creation span of the shadow runs in these tests.
var shadowSpan = span{at.Add(6 * time.Hour), at.Add(30 * time.Hour)}

// paired draws n shadow items: the old model's scores around old and the
// live ones around live (each sd 0.1, clamped to [0, 1]).
func paired(n int, old, live float64, seed uint64) *shadowSample {
	rng := rand.New(rand.NewPCG(seed, 0x5ad0))
	s := &shadowSample{Runs: 2, From: shadowSpan.From, To: shadowSpan.To, Limit: DefaultMaxShadowResults}
	for range n {
		s.Old = append(s.Old, min(max(old+0.1*rng.NormFloat64(), 0), 1))
		s.Live = append(s.Live, min(max(live+0.1*rng.NormFloat64(), 0), 1))
	}
	return s
}

func TestShadowScore(t *testing.T) {
	cases := []struct {
		name      string
		shadow    func() *shadowSample
		regressed bool
		tested    int // checks tested: alpha is 0.01 / tested
		check     func(t *testing.T, c recommend.Check)
	}{
		{name: "live model clearly worse", shadow: func() *shadowSample { return paired(200, 0.85, 0.6, 1) },
			regressed: true, tested: 5,
			check: func(t *testing.T, c recommend.Check) {
				if c.Statistic <= 0.05 || c.Statistic > c.Effect || !(c.P > 0 && c.P <= c.Alpha) ||
					c.Effect < 0.2 || c.Effect > 0.3 || math.Abs(c.Before.Mean-0.85) > 0.03 || math.Abs(c.After.Mean-0.6) > 0.03 ||
					math.Abs(c.Effect-(c.Before.Mean-c.After.Mean)) > 1e-9 || c.Expected != c.Before.Mean || c.Note != "" {
					t.Fatalf("check %+v", c)
				}
			}},
		{name: "equal scores", shadow: func() *shadowSample { return paired(200, 0.8, 0.8, 2) }, tested: 5,
			check: func(t *testing.T, c recommend.Check) {
				if c.P != 1 || c.Statistic >= 0.05 || c.Statistic == 0 || math.Abs(c.Effect) > 0.03 {
					t.Fatalf("check %+v", c)
				}
			}},
		{name: "worse within δ on many items", shadow: func() *shadowSample { return paired(5000, 0.82, 0.8, 3) }, tested: 5,
			check: func(t *testing.T, c recommend.Check) {
				if c.P != 1 || c.Statistic >= 0.05 || c.Effect < 0.01 || c.Effect > 0.03 {
					t.Fatalf("want a real but accepted gap: %+v", c)
				}
			}},
		{name: "live model better", shadow: func() *shadowSample { return paired(200, 0.6, 0.85, 4) }, tested: 5,
			check: func(t *testing.T, c recommend.Check) {
				if c.P != 1 || c.Effect > -0.2 {
					t.Fatalf("check %+v", c)
				}
			}},
		{name: "too few results", shadow: func() *shadowSample { return paired(12, 0.9, 0.2, 5) }, tested: 4,
			check: func(t *testing.T, c recommend.Check) {
				if c.Note != "n = 12 < 30" || c.P != 1 || c.Statistic != 0 || c.Effect < 0.5 ||
					c.Before.N != 12 || c.After.N != 12 {
					t.Fatalf("check %+v", c)
				}
			}},
		{name: "capped read", shadow: func() *shadowSample {
			s := paired(200, 0.8, 0.8, 6)
			s.Capped, s.Limit = true, 200
			return s
		}, tested: 5,
			check: func(t *testing.T, c recommend.Check) {
				if c.Note != "shadow results capped at 200, the most recent runs first" {
					t.Fatalf("note %q", c.Note)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := evaluate(base().sample(1, beforeW), predictedAfter().sample(2, afterW), tc.shadow(), defaults, testNow)
			if !v.Enough || len(v.Checks) != 5 || v.Regressed != tc.regressed {
				t.Fatalf("enough %v, regressed %v, %d checks: %+v", v.Enough, v.Regressed, len(v.Checks), v.Checks)
			}
			alpha := 0.01 / float64(tc.tested)
			for _, c := range v.Checks {
				if c.Regressed != (tc.regressed && c.Signal == SignalShadow) || math.Abs(c.Alpha-alpha) > 1e-15 {
					t.Fatalf("%s regressed %v, alpha %g (want %g)", c.Signal, c.Regressed, c.Alpha, alpha)
				}
			}
			c := byName(v)[SignalShadow]
			if c.Unit != UnitScore || c.MinEffect != defaults.delta || !strings.Contains(c.Test, "confidence sequence") ||
				!c.Before.From.Equal(shadowSpan.From) || !c.Before.To.Equal(shadowSpan.To) ||
				c.After.From != c.Before.From || c.After.To != c.Before.To || c.Before.N != c.After.N {
				t.Fatalf("check %+v", c)
			}
			tc.check(t, c)
		})
	}
}

// Without shadow evaluations the check is absent: four checks, α split in
// four.
func TestShadowScoreAbsent(t *testing.T) {
	v := evaluate(base().sample(1, beforeW), predictedAfter().sample(2, afterW), nil, defaults, testNow)
	if _, ok := byName(v)[SignalShadow]; ok || len(v.Checks) != 4 || v.Checks[0].Alpha != 0.01/4 {
		t.Fatalf("checks %+v", v.Checks)
	}
}

func TestCrossingLevel(t *testing.T) {
	worse := func(n int, d float64) []float64 { return slices.Repeat([]float64{d}, n) }
	noisy := paired(300, 0.85, 0.6, 7)
	var noisyDiffs []float64
	for i := range noisy.Old {
		noisyDiffs = append(noisyDiffs, noisy.Old[i]-noisy.Live[i])
	}
	cases := []struct {
		name  string
		diffs []float64
		hi    float64
		floor bool // the bound clears δ even at the smallest level
	}{
		{"noisy gap of 0.25", noisyDiffs, 0.002, false},
		{"a constant gap of 0.3", worse(100, 0.3), 0.0025, false},
		{"a full gap on many items", worse(5000, 1), 0.0025, true},
		{"a level below the floor", worse(5000, 1), 1e-120, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if stats.SequenceLower(tc.diffs, tc.hi) <= 0.05 {
				t.Fatalf("the bound does not clear δ at %g", tc.hi)
			}
			p := crossingLevel(tc.diffs, 0.05, tc.hi)
			if p > tc.hi || stats.SequenceLower(tc.diffs, p) <= 0.05 {
				t.Fatalf("p %g: above %g or not clearing δ", p, tc.hi)
			}
			if tc.floor {
				if p != min(minCrossingLevel, tc.hi) {
					t.Fatalf("p %g, want the floor", p)
				}
				return
			}
			if below := p / crossingPrecision; below > minCrossingLevel && stats.SequenceLower(tc.diffs, below) > 0.05 {
				t.Fatalf("p %g is not the smallest level: the bound clears δ at %g too", p, below)
			}
		})
	}
}

func TestShadowOf(t *testing.T) {
	r := recommend.Recommendation{Workspace: "ws_a", Alias: "support", Baseline: "openai/gpt-4o",
		Candidate: "openai/gpt-4o-mini", Apply: &recommend.Apply{At: at}}
	match := evalrun.Run{Workspace: "ws_a", Source: "shadow:support", Baseline: "live", Candidate: "openai/gpt-4o",
		State: evalrun.Completed, Created: at.Add(time.Hour)}
	cases := []struct {
		name string
		edit func(*evalrun.Run)
		want bool
	}{
		{"completed shadow run of the old model", func(*evalrun.Run) {}, true},
		{"running", func(x *evalrun.Run) { x.State = evalrun.Running }, true},
		{"pending", func(x *evalrun.Run) { x.State = evalrun.Pending }, false},
		{"cancelled", func(x *evalrun.Run) { x.State = evalrun.Cancelled }, false},
		{"another alias's shadow", func(x *evalrun.Run) { x.Source = "shadow:billing" }, false},
		{"a dataset", func(x *evalrun.Run) { x.Source = "dataset:ds_x" }, false},
		{"a model baseline", func(x *evalrun.Run) { x.Baseline = "openai/gpt-4o-mini" }, false},
		{"the new model as candidate", func(x *evalrun.Run) { x.Candidate = "openai/gpt-4o-mini" }, false},
		{"created at the apply", func(x *evalrun.Run) { x.Created = at }, false},
		{"created before the apply", func(x *evalrun.Run) { x.Created = at.Add(-time.Hour) }, false},
		{"another workspace", func(x *evalrun.Run) { x.Workspace = "ws_b" }, false},
	}
	for _, tc := range cases {
		run := match
		tc.edit(&run)
		if got := shadowOf(run, r); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestScoredPrefix(t *testing.T) {
	res := func(i int64) evalrun.Result { return evalrun.Result{Index: i, Baseline: 0.5, Candidate: 0.5} }
	errored := func(i int64) evalrun.Result { r := res(i); r.Error = "provider_error"; return r }
	dead := func(i int64) evalrun.Result { r := res(i); r.Dead = true; return r }
	cases := []struct {
		name string
		in   []evalrun.Result
		want []int64
	}{
		{"none", nil, nil},
		{"all scored, out of order", []evalrun.Result{res(2), res(0), res(1)}, []int64{0, 1, 2}},
		{"errored and dead left out", []evalrun.Result{res(0), errored(1), dead(2), res(3)}, []int64{0, 3}},
		{"stops at a gap", []evalrun.Result{res(0), res(1), res(3), res(4)}, []int64{0, 1}},
		{"nothing before the first item", []evalrun.Result{res(1), res(2)}, nil},
	}
	for _, tc := range cases {
		var got []int64
		for _, r := range scoredPrefix(tc.in) {
			got = append(got, r.Index)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The sample takes each run's old score as Old and live score as Live, up
// to its limit, and spans the runs' creation times.
func TestShadowSampleAdd(t *testing.T) {
	results := func(n int, old, live float64) []evalrun.Result {
		var out []evalrun.Result
		for i := range n {
			out = append(out, evalrun.Result{Index: int64(i), Candidate: old, Baseline: live})
		}
		return out
	}
	newer := evalrun.Run{Created: shadowSpan.To}
	older := evalrun.Run{Created: shadowSpan.From}
	cases := []struct {
		name     string
		limit    int
		old      []float64
		live     []float64
		capped   bool
		from, to time.Time
	}{
		{"both runs", 10, []float64{0.9, 0.9, 0.9, 0.7, 0.7}, []float64{0.4, 0.4, 0.4, 0.2, 0.2}, false, shadowSpan.From, shadowSpan.To},
		{"capped in the second run", 4, []float64{0.9, 0.9, 0.9, 0.7}, []float64{0.4, 0.4, 0.4, 0.2}, true, shadowSpan.From, shadowSpan.To},
	}
	for _, tc := range cases {
		s := shadowSample{Limit: tc.limit}
		s.add(newer, results(3, 0.9, 0.4))
		s.add(older, results(2, 0.7, 0.2))
		if !slices.Equal(s.Old, tc.old) || !slices.Equal(s.Live, tc.live) || s.Capped != tc.capped || s.Runs != 2 ||
			!s.From.Equal(tc.from) || !s.To.Equal(tc.to) {
			t.Errorf("%s: %+v", tc.name, s)
		}
	}
}

// The constants repeated to keep evalplan out of the drift function are
// the ones runs are created with.
func TestShadowConstants(t *testing.T) {
	cases := []struct{ got, want string }{
		{liveBaseline, evalplan.LiveBaseline},
		{shadowSource, evalwork.KindShadow + ":"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
