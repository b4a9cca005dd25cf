package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// PairedTLower is the classic one-sided paired t lower confidence bound
// mean − t_{1−α, n−1}·s/√n for the mean difference, on the same clamped
// differences Sequence uses (values outside [−1, 1] are clamped, NaN counts
// as −1). The result is clamped to [−1, 1]; it is −1 when n < 2, and the
// mean itself when the sample standard deviation s is 0.
//
// It is shown next to the anytime-valid bound because it is the number most
// readers know, but it must not decide: its 1 − α coverage holds only at one
// sample size fixed in advance. Checked after every chunk, it crosses a
// margin the true mean sits exactly on far more often than α of the time
// (TestPairedTPeekingInflatesError measures it). It also trusts a normal
// approximation that is poor for small n and 0/1 scores, and it returns the
// mean itself when every difference so far is equal. It panics unless
// 0 < alpha ≤ 0.5.
func PairedTLower(diffs []float64, alpha float64) float64 {
	checkAlpha(alpha)
	n := len(diffs)
	if n < 2 {
		return -1
	}
	var sum float64
	constant := true
	for _, d := range diffs {
		sum += clampDiff(d)
		constant = constant && clampDiff(d) == clampDiff(diffs[0])
	}
	if constant {
		// s = 0: the bound is the mean, which is the common value (summing
		// it would only add rounding error).
		return clampDiff(diffs[0])
	}
	mean := sum / float64(n)
	var ss float64
	for _, d := range diffs {
		e := clampDiff(d) - mean
		ss += e * e
	}
	sd := math.Sqrt(ss / float64(n-1))
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - alpha)
	return clamp(mean-q*sd/math.Sqrt(float64(n)), -1, 1)
}
