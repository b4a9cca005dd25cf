package drift_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tollgate-dev/tollgate/shared/drift"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// stream is a synthetic model's traffic: realistic per-call distributions
// whose parameters a test changes to inject drift.
type stream struct {
	PriceIn, PriceOut float64 // nano-USD per token
	LatencyMedianMS   float64 // lognormal latency of successful calls
	LatencySigma      float64
	ErrRate           float64
	OutShape          int     // gamma shape of output length
	OutMean           float64 // tokens
	ScoredFrac        float64 // share of successful calls with feedback
	Thumbs            float64 // share of scores that are 0/1 thumbs (the rest graded)
	ScoreShift        float64 // added to every score (clamped to [0, 1])
}

// steady is the unchanged stream: gpt-4o-mini-like prices, ~0.9 s median
// latency, 2 % errors, ~250 output tokens, 40 % of calls rated (half of
// them thumbs up/down at 75 % up, half graded Beta(6,2), mean 0.75).
func steady() stream {
	return stream{PriceIn: 150, PriceOut: 600, LatencyMedianMS: 900, LatencySigma: 0.6, ErrRate: 0.02,
		OutShape: 2, OutMean: 250, ScoredFrac: 0.4, Thumbs: 0.5}
}

// gamma draws Gamma(k, mean/k) for an integer shape k: a sum of k exponentials.
func gamma(rng *rand.Rand, k int, mean float64) float64 {
	s := 0.0
	for range k {
		s += rng.ExpFloat64()
	}
	return s * mean / float64(k)
}

func beta(rng *rand.Rand, a, b int) float64 {
	x, y := gamma(rng, a, float64(a)), gamma(rng, b, float64(b))
	return x / (x + y)
}

// call draws one call.
func (s stream) call(rng *rand.Rand, i int) (trace.Trace, float64, bool) {
	t := trace.Trace{ID: fmt.Sprintf("tr_%08d", i), Status: trace.StatusOK}
	t.TokensIn = int64(math.Round(math.Exp(math.Log(700)+0.9*rng.NormFloat64()))) + 1
	if rng.Float64() < s.ErrRate {
		t.Status, t.TokensIn, t.LatencyMS = trace.StatusError, 0, int64(math.Exp(math.Log(300)+0.5*rng.NormFloat64()))+1
		return t, 0, false
	}
	t.TokensOut = max(int64(math.Round(gamma(rng, s.OutShape, s.OutMean))), 1)
	t.CostNano = int64(math.Round(float64(t.TokensIn)*s.PriceIn + float64(t.TokensOut)*s.PriceOut))
	switch u := rng.Float64(); {
	case u < 0.005:
		t.Unpriced, t.CostNano = true, 0
	case u < 0.01:
		t.Estimated = true
	}
	t.LatencyMS = int64(math.Round(math.Exp(math.Log(s.LatencyMedianMS)+s.LatencySigma*rng.NormFloat64()))) + 1
	if rng.Float64() >= s.ScoredFrac {
		return t, 0, false
	}
	var v float64
	if rng.Float64() < s.Thumbs {
		if rng.Float64() < 0.75+s.ScoreShift {
			v = 1
		}
	} else {
		v = min(max(beta(rng, 6, 2)+s.ScoreShift, 0), 1)
	}
	return t, v, true
}

// window draws n calls of s in [start, end).
func (s stream) window(rng *rand.Rand, model string, start, end time.Time, n int) drift.Window {
	w := drift.Window{Model: model, Start: start, End: end, Calls: make([]drift.Call, n)}
	for i := range w.Calls {
		t, score, scored := s.call(rng, i)
		w.Calls[i] = drift.CallOf(&t)
		w.Calls[i].Score, w.Calls[i].Scored = score, scored
	}
	return w
}

// Synthetic windows: a 7-day reference before a 24-hour recent window.
var (
	recentEnd = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	recentBeg = recentEnd.Add(-24 * time.Hour)
	refBeg    = recentBeg.Add(-7 * 24 * time.Hour)
)

// pair draws a reference of ref calls from before and a recent window of
// rec calls from after.
func pair(seed uint64, before, after stream, ref, rec int) (drift.Window, drift.Window) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	const model = "openai/gpt-4o-mini"
	return before.window(rng, model, refBeg, recentBeg, ref), after.window(rng, model, recentBeg, recentEnd, rec)
}
