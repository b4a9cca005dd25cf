package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// Welch is Welch's unequal-variances t test of whether window B's mean
// differs from window A's in the direction alt, with the Welch–Satterthwaite
// degrees of freedom. It is the test for continuous per-call metrics (cost,
// latency, output length, graded scores): it does not assume the windows
// share a variance, which they rarely do when something has drifted, and
// with a hundred or more calls per window its p-values stay close to
// nominal even for skewed metrics like cost (TestTwoSampleFalseAlarms).
//
// Standardized is Cohen's d: the effect over the pooled standard deviation.
// It returns an error when either window has fewer than 2 values, a value is
// NaN or infinite, or alt is unknown. When both windows have zero variance
// the test is decided by the means alone: equal means give Statistic 0 and
// P 1; different means give Statistic and Standardized of ±Inf, and P 0 (or
// 1 when the difference is in the direction alt does not look for).
func Welch(a, b []float64, alt Alternative) (Test, error) {
	if err := checkAlt(alt); err != nil {
		return Test{}, err
	}
	if len(a) < 2 || len(b) < 2 {
		return Test{}, fmt.Errorf("stats: welch needs at least 2 values per window, have %d and %d", len(a), len(b))
	}
	if err := checkFinite("a", a); err != nil {
		return Test{}, err
	}
	if err := checkFinite("b", b); err != nil {
		return Test{}, err
	}
	na, nb := float64(len(a)), float64(len(b))
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	r := Test{Name: "welch_t", NA: len(a), NB: len(b), MeanA: ma, MeanB: mb, Effect: mb - ma}

	sa, sb := va/na, vb/nb
	se2 := sa + sb
	if se2 == 0 {
		r.Statistic, r.P = degenerate(r.Effect, alt)
		r.Standardized = r.Statistic
		return r, nil
	}
	r.Statistic = r.Effect / math.Sqrt(se2)
	r.Standardized = r.Effect / math.Sqrt(((na-1)*va+(nb-1)*vb)/(na+nb-2))
	df := se2 * se2 / (sa*sa/(na-1) + sb*sb/(nb-1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	switch alt {
	case TwoSided:
		r.P = mathext.RegIncBeta(df/2, 0.5, df/(df+r.Statistic*r.Statistic))
	case Greater:
		r.P = t.Survival(r.Statistic)
	case Less:
		r.P = t.CDF(r.Statistic)
	}
	return r, nil
}
