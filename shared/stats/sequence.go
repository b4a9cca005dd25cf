package stats

import (
	"fmt"
	"math"
)

// truncation is the cap c on the bets λ_t. Waudby-Smith & Ramdas recommend
// c = 1/2 or 3/4; 1/2 keeps the bets placed on a variance estimate from only
// a few items from overreacting. Once the items vary, λ_t decays below the
// cap and it no longer matters.
const truncation = 0.5

// Sequence is an anytime-valid lower confidence bound for the mean of paired
// score differences d = candidate − baseline in [−1, 1]. Its guarantee is
// simultaneous over time: with probability at least 1 − alpha, Lower is at
// or below the true mean difference after every Add, however many times it
// is looked at and whenever the caller decides to stop. That is what lets
// the savings engine check after every chunk and recommend as soon as the
// bound clears the margin.
//
// It is the one-sided predictable plug-in empirical-Bernstein confidence
// sequence (PrPl-EB) of I. Waudby-Smith and A. Ramdas, "Estimating means of
// bounded random variables by betting", Journal of the Royal Statistical
// Society Series B 86(1), 2024 (arXiv:2010.09686), Theorem 2, with the
// predictable plug-in bets the paper recommends alongside it, applied to
// x_i = (d_i + 1)/2 in [0, 1]. Precisely, after t items:
//
//	μ̂_t = (1/2 + Σ_{i≤t} x_i) / (t + 1)              (μ̂_0 = 1/2)
//	σ̂²_t = (1/4 + Σ_{i≤t} (x_i − μ̂_i)²) / (t + 1)     (σ̂²_0 = 1/4)
//	λ_t = min(√(2·log(1/α) / (σ̂²_{t−1} · t · log(1 + t))), 1/2)
//	v_i = 4·(x_i − μ̂_{i−1})²
//	ψ_E(λ) = (−log(1 − λ) − λ) / 4
//	L_t = (Σ_{i≤t} λ_i·x_i − log(1/α) − Σ_{i≤t} v_i·ψ_E(λ_i)) / Σ_{i≤t} λ_i
//
// This is the lower half of the paper's two-sided C_t^PrPl-EB with log(2/α)
// replaced by log(1/α) in both L_t and λ_t, as the paper prescribes for a
// one-sided sequence, and truncation c = 1/2. Since P(∃t: μ < L_t) ≤ α, the
// running maximum max_{s≤t} L_s (the running intersection) is valid too and
// never loosens; Lower reports 2·max_{s≤t} L_s − 1 on the d scale, clamped
// to [−1, 1].
//
// The guarantee needs only that each item's expected difference, given the
// items before it, is the same μ; it does not need a normal distribution or
// a large n. It is about the population the items are drawn from, so items
// should be fed in an order unrelated to their content (shuffled).
//
// Each Add is O(1) time and memory. The zero Sequence is not usable; call
// NewSequence.
type Sequence struct {
	alpha     float64
	logInvA   float64 // log(1/α)
	n         int
	sumD      float64 // Σ d_i (clamped), for Mean
	sumX      float64 // Σ x_i, for μ̂
	sumSq     float64 // Σ (x_i − μ̂_i)², for σ̂²
	sumLam    float64 // Σ λ_i
	sumLamX   float64 // Σ λ_i·x_i
	sumVPsi   float64 // Σ v_i·ψ_E(λ_i)
	bestLower float64 // max_{s≤t} L_s on the x scale
}

// NewSequence returns an empty Sequence at one-sided level alpha. It panics
// unless 0 < alpha ≤ 0.5: a level outside that range is a programming error
// (a one-sided bound at α > 0.5 is above the point estimate), not something
// to recover from at run time.
func NewSequence(alpha float64) *Sequence {
	checkAlpha(alpha)
	return &Sequence{alpha: alpha, logInvA: math.Log(1 / alpha)}
}

// checkAlpha panics unless alpha is a usable one-sided level.
func checkAlpha(alpha float64) {
	if !(alpha > 0 && alpha <= 0.5) {
		panic(fmt.Sprintf("stats: alpha %v not in (0, 0.5]", alpha))
	}
}

// Add records one paired difference d = candidate − baseline. Scores live in
// [0, 1], so a difference outside [−1, 1] can only come from a scorer bug;
// it is clamped to the nearest end rather than allowed to break the bound's
// boundedness assumption. NaN, which has no nearest end, counts as −1, the
// most pessimistic value for the candidate.
func (s *Sequence) Add(d float64) {
	d = clampDiff(d)
	x := (d + 1) / 2
	t := float64(s.n + 1)

	// Predictable quantities: everything here uses items 1..t−1 only.
	muPrev := (0.5 + s.sumX) / t
	varPrev := (0.25 + s.sumSq) / t
	lam := math.Min(math.Sqrt(2*s.logInvA/(varPrev*t*math.Log1p(t))), truncation)
	v := 4 * (x - muPrev) * (x - muPrev)
	psi := (-math.Log1p(-lam) - lam) / 4

	s.n++
	s.sumD += d
	s.sumLam += lam
	s.sumLamX += lam * x
	s.sumVPsi += v * psi
	s.sumX += x
	mu := (0.5 + s.sumX) / (t + 1)
	s.sumSq += (x - mu) * (x - mu)

	l := (s.sumLamX - s.logInvA - s.sumVPsi) / s.sumLam
	if s.n == 1 || l > s.bestLower {
		s.bestLower = l
	}
}

// N is the number of differences added.
func (s *Sequence) N() int { return s.n }

// Alpha is the one-sided level the Sequence was created with.
func (s *Sequence) Alpha() float64 { return s.alpha }

// Mean is the plain average of the (clamped) differences, the point
// estimate shown beside the bound; 0 before any Add.
func (s *Sequence) Mean() float64 {
	if s.n == 0 {
		return 0
	}
	return s.sumD / float64(s.n)
}

// Lower is the anytime-valid lower confidence bound for the mean difference:
// the running maximum over time of the PrPl-EB bounds, mapped back to the d
// scale. It is −1 (no information) before any Add and is never below −1 or
// above 1.
func (s *Sequence) Lower() float64 {
	if s.n == 0 {
		return -1
	}
	return clamp(2*s.bestLower-1, -1, 1)
}

// SequenceLower is Lower after adding diffs in order, for callers that hold
// the whole batch. It panics on alpha as NewSequence does.
func SequenceLower(diffs []float64, alpha float64) float64 {
	s := NewSequence(alpha)
	for _, d := range diffs {
		s.Add(d)
	}
	return s.Lower()
}

// clampDiff maps d into [−1, 1], with NaN to −1.
func clampDiff(d float64) float64 {
	if math.IsNaN(d) {
		return -1
	}
	return clamp(d, -1, 1)
}

func clamp(v, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, v))
}
