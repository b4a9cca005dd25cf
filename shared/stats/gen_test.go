package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Paired-score generators for the simulations. Each returns one item's
// difference d = candidate − baseline, built from the two scores the way an
// evaluation produces them, with a mean difference that is exact rather
// than approximate, so "the true difference is exactly −δ" is literally
// true in the type-I error tests.

// newRand returns the deterministic generator for run number run of a
// simulation identified by seed.
func newRand(seed, run uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, run))
}

// exactMatch draws a pair of 0/1 exact-match scores: the baseline alone is
// right with probability pWorse, the candidate alone with probability
// pBetter, and otherwise they agree (both right 70% of the time). The mean
// difference is exactly pBetter − pWorse.
func exactMatch(r *rand.Rand, pWorse, pBetter float64) float64 {
	var base, cand float64
	switch u := r.Float64(); {
	case u < pWorse:
		base, cand = 1, 0
	case u < pWorse+pBetter:
		base, cand = 0, 1
	case r.Float64() < 0.7:
		base, cand = 1, 1
	}
	return cand - base
}

// graded draws a pair of graded judge scores in [0, 1] with mean difference
// exactly mean, for mean in [−0.125, 0]. The baseline's score is uniform.
// On half the items the judge grades both outputs the same; on the rest the
// candidate's score is half the baseline's plus half an independent draw W,
// uniform on [0, 1+8·mean], so that the candidate ∈ [0, 1] and
// E[d] = ½ · ½ · (E[W] − ½) = mean.
func graded(r *rand.Rand, mean float64) float64 {
	base := r.Float64()
	if r.Float64() < 0.5 {
		return 0
	}
	w := (1 + 8*mean) * r.Float64()
	cand := 0.5*base + 0.5*w
	return cand - base
}

// generators are the paired-score models the simulations run on, each as a
// function of the true mean difference.
var generators = []struct {
	name string
	diff func(r *rand.Rand, mean float64) float64
}{
	// 0/1 exact match, with 10% (at mean 0) to 15% (at mean −δ) of items
	// on which the models disagree.
	{"exact_match", func(r *rand.Rand, mean float64) float64 {
		return exactMatch(r, 0.05-math.Min(mean, 0), 0.05+math.Max(mean, 0))
	}},
	{"graded", graded},
}

// TestGeneratorsMean checks that the simulation generators have the mean
// difference they claim, so the type-I tests really run at −δ: the sample
// mean of 200,000 draws is within four standard errors of it.
func TestGeneratorsMean(t *testing.T) {
	const n = 200_000
	for gi, g := range generators {
		for _, mean := range []float64{-DefaultDelta, 0} {
			r := newRand(4, uint64(gi))
			var sum, sq float64
			for range n {
				d := g.diff(r, mean)
				if d < -1 || d > 1 {
					t.Fatalf("%s: difference %v outside [-1, 1]", g.name, d)
				}
				sum += d
				sq += d * d
			}
			m := sum / n
			se := math.Sqrt((sq/n - m*m) / n)
			if math.Abs(m-mean) > 4*se {
				t.Errorf("%s: sample mean %.5f, want %.5f ± %.5f", g.name, m, mean, 4*se)
			} else {
				t.Logf("%s: sample mean %.5f for true mean %.2f (4 s.e. = %.5f)", g.name, m, mean, 4*se)
			}
		}
	}
}
