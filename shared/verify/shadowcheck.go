package verify

import (
	"fmt"
	"math"

	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/stats"
)

// shadowTest names the bound shadow_score decides on.
const shadowTest = "one-sided lower bound of mean(old − live) over shadow evaluations: " + recommend.Method

// maxSequenceLevel is the highest level stats.NewSequence accepts: a
// one-sided bound at a higher level lies above the point estimate. A
// family α split to more than this (only with a configured Alpha above
// 0.5) holds the check to 0.5, which is stricter.
const maxSequenceLevel = 0.5

// minCrossingLevel is the smallest P shadow_score reports: the smallest
// number a verification stores (storeLimit), so a P at this floor reads
// "at most 1e-100" rather than being stored as 0.
const minCrossingLevel = 1 / storeLimit

// crossingPrecision is the factor to within which crossingLevel finds the
// level: 1 %, finer than any α a reader compares P with.
const crossingPrecision = 1.01

// shadowScore is the check of the shadow evaluations: d = old − live for
// each paired item, fed in order to the anytime-valid confidence sequence
// the recommendation was decided with. It regresses when the sequence's
// lower bound of mean(old − live) at the check's α is above δ, the margin
// the recommendation accepted, with at least minN items: the live (new)
// model is then worse than the old one by more than was accepted, at
// confidence 1 − α however often passes look. A bound, not a test, so:
//
//   - Statistic is the lower bound at the check's α (on the d scale);
//   - P is 1 unless the check regressed, and then the smallest level at
//     which the bound still clears δ (crossingLevel), at most the check's
//     α: the anytime-valid p-value of "the new model is at most δ worse",
//     as small as the data make it, which the p of the other checks is too;
//   - Effect is mean(old − live), positive when the new model is worse,
//     and MinEffect is δ.
//
// Before and After are the old and live sides, each with its mean and the
// paired n, over the runs' creation span.
func shadowScore(s shadowSample, p params) pending {
	n := len(s.Old)
	diffs := make([]float64, n)
	for i := range diffs {
		diffs[i] = s.Old[i] - s.Live[i]
	}
	side := func(m float64) recommend.Window {
		return recommend.Window{From: s.From.UTC(), To: s.To.UTC(), N: int64(n), Mean: m}
	}
	mo := mean(s.Old)
	c := recommend.Check{Signal: SignalShadow, Test: shadowTest, MinEffect: p.delta, Unit: UnitScore,
		Expected: mo, Before: side(mo), After: side(mean(s.Live)), Effect: mean(diffs)}
	if s.Capped {
		c.Note = fmt.Sprintf("shadow results capped at %d, the most recent runs first", s.Limit)
	}
	if n < p.minN {
		c.Note = join(c.Note, fmt.Sprintf("n = %d < %d", n, p.minN))
		return pending{check: c}
	}
	return pending{check: c, testable: true, decide: func(c recommend.Check, alpha float64) recommend.Check {
		level := min(alpha, maxSequenceLevel)
		c.Statistic = stats.SequenceLower(diffs, level)
		if c.Statistic > p.delta {
			c.Regressed, c.P = true, crossingLevel(diffs, p.delta, level)
		}
		return c
	}}
}

// crossingLevel is the smallest level, between minCrossingLevel (or hi
// when that is lower) and hi
// and to within crossingPrecision, at which the sequence's lower bound of
// diffs is above delta; the bound is above delta at hi. It bisects on
// log α: the bound falls as the level does (more confidence, a wider
// interval), and the returned level is always one the bound was found to
// clear delta at, so it is never above hi.
func crossingLevel(diffs []float64, delta, hi float64) float64 {
	lo := min(minCrossingLevel, hi)
	if stats.SequenceLower(diffs, lo) > delta {
		return lo
	}
	for hi/lo > crossingPrecision {
		mid := math.Exp((math.Log(lo) + math.Log(hi)) / 2)
		if stats.SequenceLower(diffs, mid) > delta {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}
