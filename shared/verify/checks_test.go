package verify

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

var (
	at       = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	beforeW  = span{at.Add(-7 * 24 * time.Hour), at}
	afterW   = span{at, at.Add(48 * time.Hour)}
	testNow  = afterW.To
	defaults = params{minN: 30, alpha: 0.01, minError: 0.02, minLatency: 0.25, minCost: 0.2, delta: 0.05,
		costRatio: 0.25, ratioKnown: true, candidateNano: 500, baselineNano: 2000}
)

// gen draws a window's calls: errors at errRate, lognormal latency (σ 0.5)
// and cost (σ 0.4) around their medians, scores around score (sd 0.15) on
// a share rated of the calls.
type gen struct {
	n                                    int
	errRate, latency, cost, score, rated float64
}

func base() gen { return gen{n: 240, errRate: 0.02, latency: 800, cost: 2000, score: 0.8, rated: 0.5} }

// predictedAfter is the candidate behaving as the evaluation predicted.
func predictedAfter() gen { g := base(); g.n, g.cost = 200, 500; return g }

func (g gen) sample(seed uint64, w span) sample {
	rng := rand.New(rand.NewPCG(seed, 0xc0de))
	s := sample{span: w}
	for i := range g.n {
		t := trace.Trace{ID: "tr_" + string(rune('a'+i%26)), Status: trace.StatusOK}
		if rng.Float64() < g.errRate {
			t.Status = trace.StatusError
		} else {
			t.LatencyMS = int64(math.Round(math.Exp(math.Log(g.latency) + 0.5*rng.NormFloat64())))
			t.CostNano = int64(math.Round(math.Exp(math.Log(g.cost) + 0.4*rng.NormFloat64())))
		}
		s.add(&t)
		if rng.Float64() < g.rated {
			s.Scores = append(s.Scores, min(max(g.score+0.15*rng.NormFloat64(), 0), 1))
		}
	}
	return s
}

func byName(v recommend.Verification) map[string]recommend.Check {
	m := map[string]recommend.Check{}
	for _, c := range v.Checks {
		m[c.Signal] = c
	}
	return m
}

func regressedSignals(v recommend.Verification) []string {
	var out []string
	for _, c := range v.Checks {
		if c.Regressed {
			out = append(out, c.Signal)
		}
	}
	return out
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name          string
		before, after func() gen
		p             func(params) params
		want          []string // regressed signals
		enough        bool
		tested        int // checks tested: alpha is 0.01 / tested
		check         func(t *testing.T, m map[string]recommend.Check)
	}{
		{name: "as predicted", before: base, after: predictedAfter, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				c := m[SignalCost]
				if math.Abs(c.Expected-c.Before.Mean*0.25) > 1e-9 || c.Unit != UnitRelative || c.MinEffect != 0.2 ||
					!strings.Contains(c.Test, "× 0.25") || !strings.Contains(c.Test, "500 ÷ 2000") {
					t.Fatalf("cost check %+v", c)
				}
				if f := m[SignalFeedback]; f.MinEffect != -0.05 || f.Expected != f.Before.Mean || f.Unit != UnitScore {
					t.Fatalf("feedback check %+v", f)
				}
			}},
		{name: "error rate 2% to 15%", before: base, after: func() gen { g := predictedAfter(); g.errRate = 0.15; return g },
			want: []string{SignalErrorRate}, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				c := m[SignalErrorRate]
				if c.Effect < 0.08 || c.Effect > 0.2 || c.Before.N != 240 || c.After.N != 200 || c.Unit != UnitShare ||
					c.Expected != c.Before.Mean || c.Statistic < 3 {
					t.Fatalf("error check %+v", c)
				}
			}},
		{name: "latency doubled", before: base, after: func() gen { g := predictedAfter(); g.latency *= 2; return g },
			want: []string{SignalLatency}, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				c := m[SignalLatency]
				if c.Effect < 0.7 || c.Effect > 1.3 || c.Before.Mean < 600 || c.Before.Mean > 1000 || c.After.Mean < 1.5*c.Before.Mean {
					t.Fatalf("latency check %+v", c)
				}
			}},
		{name: "cost 50% above prediction", before: base, after: func() gen { g := predictedAfter(); g.cost *= 1.5; return g },
			want: []string{SignalCost}, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				if c := m[SignalCost]; c.Effect < 0.3 || c.Effect > 0.7 {
					t.Fatalf("cost check %+v", c)
				}
			}},
		{name: "cost below prediction is no regression", before: base,
			after: func() gen { g := predictedAfter(); g.cost *= 0.5; return g }, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				if c := m[SignalCost]; c.Effect > -0.3 || c.P < 0.5 {
					t.Fatalf("cost check %+v", c)
				}
			}},
		{name: "the old cost when the ratio is unknown", before: base, after: base,
			p: func(p params) params { p.costRatio, p.ratioKnown = 1, false; return p }, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				if c := m[SignalCost]; c.Expected != c.Before.Mean || !strings.Contains(c.Note, "unknown (0)") {
					t.Fatalf("cost check %+v", c)
				}
			}},
		{name: "feedback drop of 0.2", before: base, after: func() gen { g := predictedAfter(); g.score -= 0.2; return g },
			want: []string{SignalFeedback}, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				if c := m[SignalFeedback]; c.Effect > -0.15 || c.Effect < -0.25 || c.Statistic > -3 {
					t.Fatalf("feedback check %+v", c)
				}
			}},
		{name: "feedback drop within δ on a large sample", before: func() gen { g := base(); g.n = 20000; return g },
			after: func() gen { g := predictedAfter(); g.n, g.score = 20000, 0.77; return g }, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				if c := m[SignalFeedback]; c.P > 1e-6 || c.Regressed {
					t.Fatalf("want a clear but accepted drop: %+v", c)
				}
			}},
		{name: "error rise below the min effect on a large sample", before: func() gen { g := base(); g.n = 60000; return g },
			after: func() gen { g := predictedAfter(); g.n, g.errRate = 60000, 0.03; return g }, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				if c := m[SignalErrorRate]; c.P > 1e-6 || c.Regressed || c.Effect > 0.02 {
					t.Fatalf("want a clear but small rise: %+v", c)
				}
			}},
		{name: "latency ×1.1 on a large sample", before: func() gen { g := base(); g.n = 20000; return g },
			after: func() gen { g := predictedAfter(); g.n, g.latency = 20000, 880; return g }, enough: true, tested: 4,
			check: func(t *testing.T, m map[string]recommend.Check) {
				if c := m[SignalLatency]; c.P > 1e-6 || c.Regressed {
					t.Fatalf("want a clear but small slowdown: %+v", c)
				}
			}},
		{name: "too little traffic after", before: base,
			after:  func() gen { g := predictedAfter(); g.n, g.errRate, g.rated = 12, 0.5, 1; return g },
			enough: false, tested: 0,
			check: func(t *testing.T, m map[string]recommend.Check) {
				if c := m[SignalErrorRate]; c.Note != "n after = 12 < 30" || c.P != 1 || c.Statistic != 0 || c.Regressed {
					t.Fatalf("error check %+v", c)
				}
				if c := m[SignalLatency]; !strings.HasPrefix(c.Note, "n after = ") || !strings.HasSuffix(c.Note, " < 30") {
					t.Fatalf("latency check %+v", c)
				}
			}},
		{name: "feedback short but the rest enough", before: func() gen { g := base(); g.rated = 0.05; return g },
			after: predictedAfter, enough: true, tested: 3,
			check: func(t *testing.T, m map[string]recommend.Check) {
				if c := m[SignalFeedback]; !strings.HasPrefix(c.Note, "n before = ") || c.Alpha != 0.01/3 {
					t.Fatalf("feedback check %+v", c)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := defaults
			if tc.p != nil {
				p = tc.p(p)
			}
			v := evaluate(tc.before().sample(1, beforeW), tc.after().sample(2, afterW), nil, p, testNow)
			if got := regressedSignals(v); strings.Join(got, ",") != strings.Join(tc.want, ",") || v.Regressed != (len(tc.want) > 0) {
				t.Fatalf("regressed %v (verification %v), want %v: %+v", got, v.Regressed, tc.want, v.Checks)
			}
			if v.Enough != tc.enough || !v.At.Equal(testNow) || len(v.Checks) != 4 {
				t.Fatalf("enough %v at %v with %d checks", v.Enough, v.At, len(v.Checks))
			}
			alpha := 0.01 / float64(max(tc.tested, 1))
			for _, c := range v.Checks {
				if math.Abs(c.Alpha-alpha) > 1e-15 {
					t.Fatalf("%s alpha %g, want %g", c.Signal, c.Alpha, alpha)
				}
				if c.Regressed && !(c.P < c.Alpha) {
					t.Fatalf("%s regressed with p %g ≥ α %g", c.Signal, c.P, c.Alpha)
				}
				if !c.Before.From.Equal(beforeW.From) || !c.Before.To.Equal(beforeW.To) ||
					!c.After.From.Equal(afterW.From) || !c.After.To.Equal(afterW.To) {
					t.Fatalf("%s windows %+v %+v", c.Signal, c.Before, c.After)
				}
			}
			tc.check(t, byName(v))
		})
	}
}

// Over many seeds, each injected regression is flagged on its own signal
// nearly always, and a signal nothing was injected into is flagged in at
// most α of the verifications (the family's bound; the min effects keep
// the real rate lower).
func TestEvaluateErrorRates(t *testing.T) {
	const seeds = 300
	inject := map[string]func(g gen) gen{
		"":              func(g gen) gen { return g },
		SignalErrorRate: func(g gen) gen { g.errRate = 0.15; return g },
		SignalLatency:   func(g gen) gen { g.latency *= 2; return g },
		SignalCost:      func(g gen) gen { g.cost *= 1.5; return g },
		SignalFeedback:  func(g gen) gen { g.score -= 0.2; return g },
	}
	for signal, f := range inject {
		hits, wrong := 0, 0
		for seed := range uint64(seeds) {
			v := evaluate(base().sample(2*seed, beforeW), f(predictedAfter()).sample(2*seed+1, afterW), nil, defaults, testNow)
			for _, c := range v.Checks {
				switch {
				case c.Regressed && c.Signal == signal:
					hits++
				case c.Regressed:
					wrong++
				}
			}
		}
		t.Logf("%q: flagged in %d of %d seeds, other signals flagged %d times", signal, hits, seeds, wrong)
		if float64(wrong) > defaults.alpha*seeds || (signal != "" && hits < seeds*95/100) {
			t.Errorf("injected %q: %d hits, %d false flags over %d seeds", signal, hits, wrong, seeds)
		}
	}
}

// Windows where nothing varies make Welch answer ±Inf; what is stored is
// finite and the note says what was clamped.
func TestEvaluateStoresOnlyFiniteNumbers(t *testing.T) {
	flat := func(n int, ms int64) sample {
		s := sample{span: beforeW}
		for range n {
			s.add(&trace.Trace{Status: trace.StatusOK, LatencyMS: ms, CostNano: 100})
			s.Scores = append(s.Scores, 1)
		}
		return s
	}
	v := evaluate(flat(50, 100), flat(50, 300), nil, defaults, testNow)
	c := byName(v)[SignalLatency]
	if c.Statistic != storeLimit || c.P != 0 || !c.Regressed || !strings.Contains(c.Note, "statistic +Inf stored as 1e+100") {
		t.Fatalf("latency check %+v", c)
	}
	for _, c := range v.Checks {
		for _, x := range []float64{c.Statistic, c.P, c.Alpha, c.Effect, c.MinEffect, c.Expected, c.Before.Mean, c.After.Mean} {
			if math.IsNaN(x) || math.IsInf(x, 0) || (x != 0 && math.Abs(x) < 1/storeLimit) || math.Abs(x) > storeLimit {
				t.Fatalf("%s holds %v", c.Signal, x)
			}
		}
	}
}

func TestStorable(t *testing.T) {
	cases := []struct {
		in, want float64
		note     string
	}{
		{0.5, 0.5, ""},
		{-3, -3, ""},
		{0, 0, ""},
		{math.Inf(1), storeLimit, "p +Inf stored as 1e+100"},
		{math.Inf(-1), -storeLimit, "p -Inf stored as -1e+100"},
		{math.NaN(), 0, "p NaN stored as 0"},
		{1e-300, 0, "p 1e-300 stored as 0"},
		{-1e-200, 0, "p -1e-200 stored as 0"},
		{1e-99, 1e-99, ""},
	}
	for _, tc := range cases {
		got, note := storable("p", tc.in)
		if got != tc.want || note != tc.note {
			t.Errorf("storable(%v) = %v %q, want %v %q", tc.in, got, note, tc.want, tc.note)
		}
	}
}
