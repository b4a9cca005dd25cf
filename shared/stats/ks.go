package stats

import (
	"fmt"
	"math"
	"slices"
)

// KS is the two-sided two-sample Kolmogorov–Smirnov test of whether windows
// A and B come from the same distribution. It complements Welch for metrics
// whose shape can change while the mean stays put, such as a latency that
// turns bimodal or an output length that loses its tail. Statistic and
// Standardized are D = sup_x |F_A(x) − F_B(x)|; Effect is still MeanB − MeanA.
//
// P is the asymptotic p-value Q_KS(√(nA·nB/(nA+nB))·D) from the Kolmogorov
// distribution, Q_KS(λ) = 2·Σ_{k≥1} (−1)^{k−1}·exp(−2k²λ²). It is accurate
// for windows of a few dozen values or more, and conservative (too large)
// for smaller ones and for values with many ties, so a false-alarm rate
// computed from it errs low. Ties between and within windows are handled
// exactly in D. It returns an error when either window is empty or holds a
// NaN or infinite value. Neither input is modified.
func KS(a, b []float64) (Test, error) {
	if len(a) == 0 || len(b) == 0 {
		return Test{}, fmt.Errorf("stats: ks needs at least 1 value per window, have %d and %d", len(a), len(b))
	}
	if err := checkFinite("a", a); err != nil {
		return Test{}, err
	}
	if err := checkFinite("b", b); err != nil {
		return Test{}, err
	}
	sa, sb := slices.Clone(a), slices.Clone(b)
	slices.Sort(sa)
	slices.Sort(sb)
	na, nb := float64(len(sa)), float64(len(sb))

	var d, suma, sumb float64
	i, j := 0, 0
	for i < len(sa) && j < len(sb) {
		v := math.Min(sa[i], sb[j])
		for ; i < len(sa) && sa[i] == v; i++ {
			suma += sa[i]
		}
		for ; j < len(sb) && sb[j] == v; j++ {
			sumb += sb[j]
		}
		d = math.Max(d, math.Abs(float64(i)/na-float64(j)/nb))
	}
	// Once one window is used up its CDF is 1 and the gap only shrinks, so
	// D is already known; the rest only finishes the means.
	for ; i < len(sa); i++ {
		suma += sa[i]
	}
	for ; j < len(sb); j++ {
		sumb += sb[j]
	}
	ma, mb := suma/na, sumb/nb
	return Test{
		Name: "ks", Statistic: d, P: kolmogorovQ(math.Sqrt(na*nb/(na+nb)) * d),
		NA: len(a), NB: len(b), MeanA: ma, MeanB: mb, Effect: mb - ma, Standardized: d,
	}, nil
}

// kolmogorovQ is the Kolmogorov survival function P(K > lambda). Below
// lambda ≈ 1.18 the alternating series converges slowly, so there it uses
// the equivalent Jacobi-theta form
// 1 − (√(2π)/λ)·Σ_{k≥1} exp(−(2k−1)²π²/(8λ²)); both need only a few terms.
func kolmogorovQ(lambda float64) float64 {
	if lambda <= 0 {
		return 1
	}
	if lambda < 1.18 {
		var s float64
		for k := 1; k <= 20; k++ {
			m := float64(2*k - 1)
			term := math.Exp(-m * m * math.Pi * math.Pi / (8 * lambda * lambda))
			s += term
			if term < 1e-17*s {
				break
			}
		}
		return clamp(1-math.Sqrt(2*math.Pi)/lambda*s, 0, 1)
	}
	var s float64
	sgn := 1.0
	for k := 1; k <= 100; k++ {
		kk := float64(k)
		term := math.Exp(-2 * kk * kk * lambda * lambda)
		s += sgn * term
		if term < 1e-17 {
			break
		}
		sgn = -sgn
	}
	return clamp(2*s, 0, 1)
}
