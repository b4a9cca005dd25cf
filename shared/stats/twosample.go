package stats

import (
	"fmt"
	"math"
)

// Alternative is the direction a two-sample test looks for. The drift job
// usually asks a one-sided question ("has latency gone up?"), which is more
// powerful than the two-sided one when only one direction is an alarm.
type Alternative int

// The alternatives, always about window B (recent/after) relative to window
// A (reference/before).
const (
	TwoSided Alternative = iota // B's mean (or rate) differs from A's
	Greater                     // B's mean (or rate) is greater than A's
	Less                        // B's mean (or rate) is less than A's
)

// String names the alternative for logs and stored results.
func (a Alternative) String() string {
	switch a {
	case TwoSided:
		return "two_sided"
	case Greater:
		return "greater"
	case Less:
		return "less"
	}
	return fmt.Sprintf("Alternative(%d)", int(a))
}

// Test is the result of a two-sample test of window A (reference/before)
// against window B (recent/after). It carries the effect as well as the
// p-value because on large windows a trivial difference is significant: an
// alarm should require both a small P and an Effect or Standardized size
// that matters.
type Test struct {
	Name         string  // "welch_t", "two_proportion_z", "ks"
	Statistic    float64 // t, z or the KS D
	P            float64 // p-value under the null of no difference
	NA, NB       int
	MeanA, MeanB float64 // for proportions, the rates
	Effect       float64 // MeanB − MeanA
	Standardized float64 // effect in pooled standard deviations (Cohen's d; for proportions Cohen's h; for KS the D statistic)
}

// checkAlt reports an Alternative that is not one of the three.
func checkAlt(alt Alternative) error {
	if alt < TwoSided || alt > Less {
		return fmt.Errorf("stats: unknown alternative %d", int(alt))
	}
	return nil
}

// checkFinite reports the first NaN or infinite value, which would
// otherwise turn every statistic into NaN without saying why.
func checkFinite(name string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("stats: %s[%d] is %v", name, i, x)
		}
	}
	return nil
}

// degenerate is the p-value of a test whose null spread is zero: no
// evidence when the effect is zero, certainty when it lies in the direction
// alt looks for.
func degenerate(effect float64, alt Alternative) (stat, p float64) {
	switch {
	case effect == 0:
		return 0, 1
	case alt == Greater && effect < 0, alt == Less && effect > 0:
		return math.Inf(sign(effect)), 1
	}
	return math.Inf(sign(effect)), 0
}

func sign(x float64) int {
	if x < 0 {
		return -1
	}
	return 1
}

// meanVar is the mean and the unbiased sample variance of xs (two-pass, for
// accuracy on values like latencies in the thousands with small spread).
func meanVar(xs []float64) (mean, variance float64) {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean = sum / float64(len(xs))
	var ss, comp float64
	for _, x := range xs {
		e := x - mean
		ss += e * e
		comp += e
	}
	n := float64(len(xs))
	return mean, (ss - comp*comp/n) / (n - 1)
}
