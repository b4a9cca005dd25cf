package stats

import "fmt"

// Defaults for the savings engine's non-inferiority decision.
const (
	// DefaultDelta is the non-inferiority margin δ on the score-difference
	// scale: a candidate may be at most 0.05 worse on average (five
	// percentage points of exact-match accuracy, or a twentieth of the
	// graded range) and still count as good enough. Much smaller margins
	// need thousands of items per evaluation, since the items needed grow
	// roughly like 1/δ²; much larger ones let a visibly worse model through.
	DefaultDelta = 0.05

	// DefaultAlpha is the one-sided error rate: with an evaluation whose
	// candidate is exactly δ worse, at most 5% of evaluations ever
	// recommend it, however often they are checked.
	DefaultAlpha = 0.05

	// DefaultMinN is the fewest paired items a recommendation may rest on.
	// The sequence is statistically valid at any n, and at δ = 0.05 with
	// every difference 0 it first clears the margin at 240 items
	// (TestSequenceAllZero); but a candidate that wins on every item clears
	// it after a dozen, and a dozen items rarely represent a workload's mix
	// of prompts. The guarantee is about the population the items were
	// drawn from, so that population has to be sampled with some breadth
	// before traffic moves. With d ∈ {−1, 0, 1} and 10% of items
	// disagreeing (a realistic exact-match eval) and a true difference of 0,
	// the decision recommends in at least 90% of evaluations by n = 1000
	// (TestPowerAtZeroDifference).
	DefaultMinN = 100
)

// Decision is the savings engine's verdict on one candidate, with the numbers
// behind it so the dashboard can show why.
type Decision struct {
	N            int
	Mean         float64 // mean difference candidate − baseline
	Lower        float64 // anytime-valid bound (the one that decides)
	TLower       float64 // classic paired t bound, shown beside it
	Delta, Alpha float64
	MinN         int
	NonInferior  bool   // Lower > −Delta && N >= MinN
	Reason       string // short human-readable sentence why / why not, with the numbers
}

// Decide tests whether the candidate is non-inferior to the baseline at
// margin delta: whether the anytime-valid lower bound of the mean difference
// (SequenceLower at level alpha) is above −delta, on at least minN items.
// Because the bound is anytime-valid, Decide may be called after every chunk
// of an evaluation, stopping at the first NonInferior, and a candidate that
// is delta worse is still recommended with probability at most alpha. The
// diffs are in evaluation order; values outside [−1, 1] are clamped as in
// Sequence.Add. A minN below 1 is treated as 1. It panics unless
// 0 < alpha ≤ 0.5.
func Decide(diffs []float64, delta, alpha float64, minN int) Decision {
	s := NewSequence(alpha)
	for _, d := range diffs {
		s.Add(d)
	}
	dec := Decision{
		N:      s.N(),
		Mean:   s.Mean(),
		Lower:  s.Lower(),
		TLower: PairedTLower(diffs, alpha),
		Delta:  delta,
		Alpha:  alpha,
		MinN:   max(minN, 1),
	}
	passes := dec.Lower > -delta
	dec.NonInferior = passes && dec.N >= dec.MinN
	dec.Reason = reason(dec, passes)
	return dec
}

// reason words the verdict with its numbers.
func reason(d Decision, passes bool) string {
	switch {
	case d.N == 0:
		return fmt.Sprintf("no paired items yet; at least %d are needed", d.MinN)
	case d.N < d.MinN:
		return fmt.Sprintf("too few items: n = %d < minimum %d (mean difference %+.4f, lower bound %+.4f, margin %+.4f)",
			d.N, d.MinN, d.Mean, d.Lower, -d.Delta)
	case passes:
		return fmt.Sprintf("non-inferior: anytime-valid lower bound %+.4f > %+.4f (margin) at alpha %.3g after n = %d items (mean difference %+.4f)",
			d.Lower, -d.Delta, d.Alpha, d.N, d.Mean)
	default:
		return fmt.Sprintf("not shown non-inferior: anytime-valid lower bound %+.4f <= %+.4f (margin) at alpha %.3g after n = %d items (mean difference %+.4f)",
			d.Lower, -d.Delta, d.Alpha, d.N, d.Mean)
	}
}
