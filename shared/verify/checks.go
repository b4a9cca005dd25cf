package verify

import (
	"fmt"
	"math"
	"time"

	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/stats"
)

// Signals the checks compare.
const (
	SignalErrorRate = "error_rate"
	SignalLatency   = "latency"
	SignalCost      = "cost_per_request"
	SignalFeedback  = "feedback"
	SignalShadow    = "shadow_score"
)

// Units of the checks' effects.
const (
	UnitShare    = "share of calls" // absolute: 0.02 is two percentage points
	UnitRelative = "relative"       // 0.25 is +25 %
	UnitScore    = "score"          // absolute, on the [0, 1] feedback and evaluation scale
)

// params are the thresholds of one verification.
type params struct {
	minN                          int
	alpha                         float64
	minError, minLatency, minCost float64
	delta                         float64 // the feedback drop and shadow score gap that count, > 0
	costRatio                     float64 // candidate ÷ baseline cost per request
	ratioKnown                    bool
	candidateNano, baselineNano   int64
}

// params are the thresholds for r: the configured ones, the cost ratio of
// r's evaluation and r's margin δ.
func (v *Verifier) params(r recommend.Recommendation) params {
	p := params{minN: v.cfg.MinN, alpha: v.cfg.Alpha, minError: v.cfg.MinErrorIncrease,
		minLatency: v.cfg.MinLatencyIncrease, minCost: v.cfg.MinCostExcess, delta: v.cfg.FeedbackDelta,
		costRatio: 1, candidateNano: r.Cost.CandidatePerRequestNano, baselineNano: r.Cost.BaselinePerRequestNano}
	if d := r.Evidence.Delta; d > 0 && d <= 1 {
		p.delta = d
	}
	if p.baselineNano > 0 && p.candidateNano >= 0 {
		p.costRatio, p.ratioKnown = float64(p.candidateNano)/float64(p.baselineNano), true
	}
	return p
}

// pending is a check before the family's α is known.
type pending struct {
	check recommend.Check
	// testable says both sides have enough observations and the effect is
	// defined; otherwise check.Note says why not.
	testable bool
	// worse is +1 when a larger effect is a regression, −1 when a smaller one is.
	worse float64
	run   func() (stats.Test, error)
	// decide, when set, replaces run and the p-below-α rule: it fills in
	// the check's statistic, p and verdict at the family's α (shadow_score,
	// whose rule is a confidence bound, not a p-value).
	decide func(c recommend.Check, alpha float64) recommend.Check
}

// evaluate compares before with after, and the shadow evaluations since
// the apply when there are any (shadow nil: none, so no shadow_score
// check), and returns the verification at now: the checks with the
// family's α split among those tested, each check's verdict, and whether
// traffic sufficed.
func evaluate(before, after sample, shadow *shadowSample, p params, now time.Time) recommend.Verification {
	all := []pending{errorRate(before, after, p), latency(before, after, p), cost(before, after, p), feedbackDrop(before, after, p)}
	if shadow != nil {
		all = append(all, shadowScore(*shadow, p))
	}
	k := 0
	for _, c := range all {
		if c.testable {
			k++
		}
	}
	each := p.alpha / float64(max(k, 1))
	out := recommend.Verification{At: now.UTC(), Enough: true}
	for _, c := range all {
		ch := c.check
		ch.Alpha, ch.P = each, 1
		switch {
		case c.testable && c.decide != nil:
			ch = c.decide(ch, each)
		case c.testable:
			t, err := c.run()
			if err != nil {
				ch.Note = join(ch.Note, "not tested: "+err.Error())
			} else {
				ch.Statistic, ch.P = t.Statistic, t.P
				ch.Regressed = t.P < each && c.worse*ch.Effect >= c.worse*ch.MinEffect
			}
		}
		// shadow_score rests on evaluations, not on the windows' calls: their
		// sampling notes do not apply to it, and it does not count for Enough.
		if ch.Signal != SignalShadow {
			if ch.Signal != SignalFeedback && (ch.Before.N < int64(p.minN) || ch.After.N < int64(p.minN)) {
				out.Enough = false
			}
			ch.Note = join(ch.Note, sampled("before", before), sampled("after", after))
		}
		ch = storableCheck(ch)
		out.Regressed = out.Regressed || ch.Regressed
		out.Checks = append(out.Checks, ch)
	}
	return out
}

// errorRate: the share of calls not ok, after greater than before.
func errorRate(b, a sample, p params) pending {
	rb, ra := ratio(b.Errors, b.Calls), ratio(a.Errors, a.Calls)
	c := recommend.Check{Signal: SignalErrorRate, Test: "two-proportion z, one-sided: after > before",
		MinEffect: p.minError, Unit: UnitShare, Expected: rb,
		Before: window(b, b.Calls, rb), After: window(a, a.Calls, ra)}
	if b.Calls > 0 && a.Calls > 0 {
		c.Effect = ra - rb
	}
	return gate(c, p.minN, 1, func() (stats.Test, error) {
		return stats.Proportions(b.Errors, b.Calls, a.Errors, a.Calls, stats.Greater)
	})
}

// latency: Welch on log(latency_ms + 1) of ok calls, after greater than
// before; the effect is the ratio of geometric means − 1.
func latency(b, a sample, p params) pending {
	mb, ma := mean(b.LogLatency), mean(a.LogLatency)
	c := recommend.Check{Signal: SignalLatency, Test: "Welch t on log(latency_ms + 1), one-sided: after > before",
		MinEffect: p.minLatency, Unit: UnitRelative, Expected: geometric(b.LogLatency, mb),
		Before: window(b, len(b.LogLatency), geometric(b.LogLatency, mb)),
		After:  window(a, len(a.LogLatency), geometric(a.LogLatency, ma))}
	if len(b.LogLatency) > 0 && len(a.LogLatency) > 0 {
		c.Effect = math.Exp(ma-mb) - 1
	}
	return gate(c, p.minN, 1, func() (stats.Test, error) { return stats.Welch(b.LogLatency, a.LogLatency, stats.Greater) })
}

// cost: after costs against before costs × the evaluation's cost ratio,
// after greater; the effect is after mean ÷ expected − 1.
func cost(b, a sample, p params) pending {
	mb, ma := mean(b.Cost), mean(a.Cost)
	expected := mb * p.costRatio
	c := recommend.Check{Signal: SignalCost, MinEffect: p.minCost, Unit: UnitRelative, Expected: expected,
		Before: window(b, len(b.Cost), mb), After: window(a, len(a.Cost), ma),
		Test: fmt.Sprintf("Welch t of after costs against before costs × %.4g (the evaluation's candidate ÷ baseline "+
			"cost per request, %d ÷ %d nano-USD), one-sided: after > expected", p.costRatio, p.candidateNano, p.baselineNano)}
	if !p.ratioKnown {
		c.Test = "Welch t of after costs against before costs, one-sided: after > before"
		c.Note = "the evaluation's baseline cost per request is unknown (0), so the expectation is the before mean"
	}
	defined := len(b.Cost) > 0 && len(a.Cost) > 0 && expected > 0
	if defined {
		c.Effect = ma/expected - 1
	}
	pc := gate(c, p.minN, 1, func() (stats.Test, error) {
		scaled := make([]float64, len(b.Cost))
		for i, x := range b.Cost {
			scaled[i] = x * p.costRatio
		}
		return stats.Welch(scaled, a.Cost, stats.Greater)
	})
	if pc.testable && !defined {
		pc.testable = false
		pc.check.Note = join(pc.check.Note, "the expected cost per request is 0, so a relative effect is undefined")
	}
	return pc
}

// feedbackDrop: scores after against before, after less; the effect is
// the difference of means, and a drop beyond −δ counts.
func feedbackDrop(b, a sample, p params) pending {
	mb, ma := mean(b.Scores), mean(a.Scores)
	c := recommend.Check{Signal: SignalFeedback, Test: "Welch t, one-sided: after < before",
		MinEffect: -p.delta, Unit: UnitScore, Expected: mb,
		Before: window(b, len(b.Scores), mb), After: window(a, len(a.Scores), ma)}
	if len(b.Scores) > 0 && len(a.Scores) > 0 {
		c.Effect = ma - mb
	}
	return gate(c, p.minN, -1, func() (stats.Test, error) { return stats.Welch(b.Scores, a.Scores, stats.Less) })
}

// gate makes c testable when both sides have at least minN observations,
// and otherwise says which side fell short.
func gate(c recommend.Check, minN int, worse float64, run func() (stats.Test, error)) pending {
	var short []string
	if c.Before.N < int64(minN) {
		short = append(short, fmt.Sprintf("n before = %d < %d", c.Before.N, minN))
	}
	if c.After.N < int64(minN) {
		short = append(short, fmt.Sprintf("n after = %d < %d", c.After.N, minN))
	}
	c.Note = join(c.Note, short...)
	return pending{check: c, testable: len(short) == 0, worse: worse, run: run}
}

func window(s sample, n int, m float64) recommend.Window {
	return recommend.Window{From: s.From.UTC(), To: s.To.UTC(), N: int64(n), Mean: m}
}

func ratio(x, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(x) / float64(n)
}

// mean is 0 for no values: a window without calls has no mean to show.
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// geometric turns the mean of log(ms + 1) back into milliseconds.
func geometric(logs []float64, m float64) float64 {
	if len(logs) == 0 {
		return 0
	}
	return math.Exp(m) - 1
}

// sampled notes that a window's read stopped at its bound.
func sampled(side string, s sample) string {
	if !s.Capped {
		return ""
	}
	return fmt.Sprintf("%s window sampled: at most %d calls read per %s of it", side, s.PerSlice, s.sliceName())
}

// join appends the non-empty parts to note, separated by "; ".
func join(note string, parts ...string) string {
	for _, p := range parts {
		switch {
		case p == "":
		case note == "":
			note = p
		default:
			note += "; " + p
		}
	}
	return note
}
