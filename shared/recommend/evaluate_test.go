package recommend

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/stats"
)

// results builds n scored results with candidate − baseline = diff(i).
func results(n int, diff func(i int) float64) []evalrun.Result {
	out := make([]evalrun.Result, n)
	for i := range out {
		d := diff(i)
		out[i] = evalrun.Result{Index: int64(i), Baseline: 1, Candidate: 1 + d, BaselineNano: 1000, CandidateNano: 200}
		if d > 0 {
			out[i].Baseline, out[i].Candidate = 0, d
		}
	}
	return out
}

func TestEvaluate(t *testing.T) {
	zero := func(int) float64 { return 0 }
	cases := []struct {
		name       string
		res        []evalrun.Result
		wantN      int64
		wantExcl   int64
		wantPasses bool
		wantReason string
	}{
		{"no results", nil, 0, 0, false, "no paired items"},
		{"below the minimum", results(99, zero), 99, 0, false, "too few items"},
		// All-zero differences clear δ = 0.05 at n = 240 (stats.TestSequenceAllZero).
		{"all agree, 239 items", results(239, zero), 239, 0, false, "not shown non-inferior"},
		{"all agree, 240 items", results(240, zero), 240, 0, true, "non-inferior"},
		{"clearly worse", results(500, func(i int) float64 { return -float64(i%5) / 4 }), 500, 0, false, "not shown"},
		{"gap stops the prefix", func() []evalrun.Result {
			r := results(400, zero)
			return append(r[:150:150], r[151:]...) // index 150 has no outcome yet
		}(), 150, 0, false, "not shown"},
		{"excluded items counted", func() []evalrun.Result {
			r := results(300, zero)
			for i := 0; i < 10; i++ {
				r[i*30].Error, r[i*30].Candidate = "provider_error", 0
			}
			return r
		}(), 290, 10, true, "non-inferior"},
		{"too many excluded", func() []evalrun.Result {
			r := results(300, zero)
			for i := 0; i < 20; i++ {
				r[i*15].Dead = true
			}
			return r
		}(), 280, 20, false, "could not be scored"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Results arrive in any order; Evaluate must not care.
			shuffled := append([]evalrun.Result(nil), tc.res...)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			ev, paired := Evaluate(shuffled, 0.05, 0.05, stats.DefaultMinN)
			passes, reason := verdict(ev)
			if ev.N != tc.wantN || ev.Excluded != tc.wantExcl || int64(len(paired)) != ev.N {
				t.Fatalf("n = %d (paired %d), excluded = %d; want %d, %d", ev.N, len(paired), ev.Excluded, tc.wantN, tc.wantExcl)
			}
			if passes != tc.wantPasses || !strings.Contains(reason, tc.wantReason) {
				t.Fatalf("passes = %v (%s), want %v containing %q", passes, reason, tc.wantPasses, tc.wantReason)
			}
			for i := 1; i < len(paired); i++ {
				if paired[i].Index <= paired[i-1].Index {
					t.Fatalf("paired items out of order at %d", i)
				}
			}
		})
	}
}

// TestEvaluateMatchesDecide: the evidence's numbers are the stats
// package's, and the running maximum is never below the last bound.
func TestEvaluateMatchesDecide(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	res := results(600, func(int) float64 { return float64(rng.IntN(3)-1) * 0.5 })
	diffs := make([]float64, len(res))
	for i, r := range res {
		diffs[i] = r.Candidate - r.Baseline
	}
	ev, _ := Evaluate(res, 0.05, 0.05, 100)
	d := stats.Decide(diffs, 0.05, 0.05, 100)
	if ev.N != int64(d.N) || math.Abs(ev.MeanDiff-d.Mean) > 1e-12 || math.Abs(ev.TLower-d.TLower) > 1e-12 {
		t.Fatalf("evidence %+v, decision %+v", ev, d)
	}
	if ev.Lower < d.Lower-1e-12 {
		t.Fatalf("running maximum %v below the final bound %v", ev.Lower, d.Lower)
	}
	if ev.Method != Method || ev.Delta != 0.05 || ev.Alpha != 0.05 || ev.MinN != 100 {
		t.Fatalf("evidence settings: %+v", ev)
	}
}

func TestSaving(t *testing.T) {
	cases := []struct {
		monthly, cand, base, want int64
	}{
		{1_000_000, 200, 1000, 800_000},
		{1_000_000, 1000, 1000, 0},
		{1_000_000, 1500, 1000, 0},
		{1_000_000, 1, 0, 0},
		{999, 1, 3, 666}, // 999 − ⌊999/3⌋
		{math.MaxInt64, 1, 2, math.MaxInt64 - math.MaxInt64/2},
	}
	for _, c := range cases {
		got := saving(c.monthly, c.cand, c.base)
		if got != c.want {
			t.Errorf("saving(%d, %d, %d) = %d, want %d", c.monthly, c.cand, c.base, got, c.want)
		}
	}
	// Against a direct big-number computation, where products overflow int64.
	m, cand, base := int64(9_000_000_000_000_000), int64(7_000_000_000), int64(9_000_000_000)
	kept := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(m), big.NewInt(cand)), big.NewInt(base))
	if want := m - kept.Int64(); saving(m, cand, base) != want {
		t.Fatalf("overflowing product: %d, want %d", saving(m, cand, base), want)
	}
}

func TestTransitions(t *testing.T) {
	allowed := map[[2]State]bool{
		{Open, Applied}: true, {Open, Dismissed}: true,
		{Applied, Verified}: true, {Applied, Regressed}: true, {Applied, RolledBack}: true,
		{Verified, Regressed}: true, {Verified, RolledBack}: true,
		{Regressed, RolledBack}: true,
	}
	all := []State{Open, Applied, Verified, Regressed, RolledBack, Dismissed}
	for _, from := range all {
		for _, to := range all {
			if got := Allowed(from, to); got != allowed[[2]State{from, to}] {
				t.Errorf("Allowed(%s, %s) = %v", from, to, got)
			}
		}
	}
	for _, s := range all {
		if live := s == Applied || s == Verified || s == Regressed; s.Live() != live {
			t.Errorf("%s.Live() = %v", s, s.Live())
		}
	}
}

func TestExplainShowsTheNumbers(t *testing.T) {
	r := Recommendation{Run: "run_x", Alias: "default", Baseline: "mock/mock-large", Candidate: "mock/mock-medium", Scorer: "exact",
		Evidence: Evidence{N: 400, MeanBaseline: 0.95, MeanCandidate: 0.94, MeanDiff: -0.01, Lower: -0.031, TLower: -0.02,
			Delta: 0.05, Alpha: 0.05, MinN: 100, Method: Method},
		Cost: Cost{BaselinePerRequestNano: 1000, CandidatePerRequestNano: 200, WindowDays: 30, AliasRequests: 3000,
			AliasCostNano: 3_000_000, MonthlyCost: 3_000_000, ProjectedNano: 2_400_000}}
	text := Explain(r)
	for _, want := range []string{"n = 400", "-0.0310", "-0.0500", "α = 0.05", "n ≥ 100", "Waudby-Smith", "+0.9400"[1:],
		"3000000 × (1 − 200 ÷ 1000) = 2400000", `"default"`, "-0.0200"} {
		if !strings.Contains(text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, text)
		}
	}
	r.Cost = Cost{BaselinePerRequestNano: 1000, CandidatePerRequestNano: 200, ProjectionNote: "the run names no alias"}
	if text := Explain(r); !strings.Contains(text, "none (the run names no alias)") {
		t.Errorf("explanation without projection:\n%s", text)
	}
}
