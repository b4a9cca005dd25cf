package bench

import (
	"math"
	"slices"
	"time"
)

// Dist is a sample of durations, sorted, so percentiles are read in O(1)
// and two distributions can be compared point by point.
type Dist struct {
	sorted []time.Duration
}

// NewDist sorts a copy of samples.
func NewDist(samples []time.Duration) Dist {
	s := slices.Clone(samples)
	slices.Sort(s)
	return Dist{sorted: s}
}

// N is the number of samples.
func (d Dist) N() int { return len(d.sorted) }

// P returns the q-th percentile (0 < q ≤ 100) by the nearest-rank method,
// or 0 for an empty sample.
func (d Dist) P(q float64) time.Duration {
	if len(d.sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q / 100 * float64(len(d.sorted))))
	rank = min(max(rank, 1), len(d.sorted))
	return d.sorted[rank-1]
}

// Samples returns the sorted samples; callers must not modify them.
func (d Dist) Samples() []time.Duration { return d.sorted }

// Summary is a distribution's reported percentiles.
type Summary struct {
	P50, P90, P99 time.Duration
}

// Summarize reads the reported percentiles off d.
func (d Dist) Summarize() Summary {
	return Summary{P50: d.P(50), P90: d.P(90), P99: d.P(99)}
}

// Minus is the percentile-wise difference s − base: the added latency at
// each percentile. Differences of percentiles, not percentiles of
// differences, since the two samples are independent.
func (s Summary) Minus(base Summary) Summary {
	return Summary{P50: s.P50 - base.P50, P90: s.P90 - base.P90, P99: s.P99 - base.P99}
}
