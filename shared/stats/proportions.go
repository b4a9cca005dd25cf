package stats

import (
	"fmt"
	"math"
)

// Proportions is the pooled two-proportion z test of whether window B's
// rate xB/nB differs from window A's rate xA/nA in the direction alt. It is
// the test for per-call yes/no metrics such as the error rate or an
// exact-match score: it uses the counts directly instead of treating 0/1
// values as continuous. The normal approximation wants a handful of
// successes and failures in each window (roughly n·p ≥ 5); below that the
// p-value is only indicative.
//
// Standardized is Cohen's h = 2·asin(√rateB) − 2·asin(√rateA), which unlike
// the raw difference weighs a move from 1% to 3% more than one from 50% to
// 52%. It returns an error when nA or nB is not positive, a count is outside
// [0, n], or alt is unknown. When both windows are all successes or all
// failures there is no evidence of a difference: Statistic 0 and P 1.
func Proportions(xA, nA, xB, nB int, alt Alternative) (Test, error) {
	if err := checkAlt(alt); err != nil {
		return Test{}, err
	}
	if nA <= 0 || nB <= 0 {
		return Test{}, fmt.Errorf("stats: two-proportion test needs nA, nB > 0, have %d and %d", nA, nB)
	}
	if xA < 0 || xA > nA || xB < 0 || xB > nB {
		return Test{}, fmt.Errorf("stats: counts %d/%d and %d/%d are not within 0..n", xA, nA, xB, nB)
	}
	fa, fb := float64(nA), float64(nB)
	pa, pb := float64(xA)/fa, float64(xB)/fb
	r := Test{
		Name: "two_proportion_z", NA: nA, NB: nB, MeanA: pa, MeanB: pb,
		Effect:       pb - pa,
		Standardized: 2*math.Asin(math.Sqrt(pb)) - 2*math.Asin(math.Sqrt(pa)),
	}
	pool := float64(xA+xB) / (fa + fb)
	se := math.Sqrt(pool * (1 - pool) * (1/fa + 1/fb))
	if se == 0 {
		r.Statistic, r.P = degenerate(r.Effect, alt)
		return r, nil
	}
	r.Statistic = r.Effect / se
	r.P = normalP(r.Statistic, alt)
	return r, nil
}

// normalP is the p-value of a standard normal statistic z under alt. It uses
// Erfc rather than 1 − Erf so that small tail probabilities keep their
// digits.
func normalP(z float64, alt Alternative) float64 {
	upper := func(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }
	switch alt {
	case Greater:
		return upper(z)
	case Less:
		return upper(-z)
	}
	return math.Min(1, 2*upper(math.Abs(z)))
}
