package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Window sizes for the drift simulations: a reference window of 400 calls
// and a recent window of 200, or 2,000 and 1,000 for a 3% error rate.
const (
	refCalls    = 400
	recentCalls = 200
	alarmP      = 0.01
)

// twoSampleCase is one drift check: test draws a reference and a recent
// window, the recent one changed when shifted, and runs a test on them.
type twoSampleCase struct {
	name string
	test func(r *rand.Rand, shifted bool) Test
}

func latency(r *rand.Rand, n int, scale float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = scale * math.Exp(6+0.5*r.NormFloat64()) // lognormal, median ≈ 400 ms
	}
	return xs
}

func cost(r *rand.Rand, n int, scale float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = scale * r.ExpFloat64() // heavily skewed
	}
	return xs
}

func errorCount(r *rand.Rand, n int, rate float64) int {
	x := 0
	for range n {
		if r.Float64() < rate {
			x++
		}
	}
	return x
}

// normalOrBimodal draws from N(0, 1), or when bimodal from an equal mixture
// of N(±0.95, 0.0975) with the same mean and variance, a change only a test
// of the whole distribution can see.
func normalOrBimodal(r *rand.Rand, n int, bimodal bool) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		if !bimodal {
			xs[i] = r.NormFloat64()
			continue
		}
		c := 0.95
		if r.Float64() < 0.5 {
			c = -0.95
		}
		xs[i] = c + math.Sqrt(1-c*c)*r.NormFloat64()
	}
	return xs
}

func must(t Test, err error) Test {
	if err != nil {
		panic(err)
	}
	return t
}

var twoSampleCases = []twoSampleCase{
	{"welch two-sided, latency +20%", func(r *rand.Rand, shifted bool) Test {
		return must(Welch(latency(r, refCalls, 1), latency(r, recentCalls, pick(shifted, 1.2, 1)), TwoSided))
	}},
	{"welch greater, cost +50%", func(r *rand.Rand, shifted bool) Test {
		return must(Welch(cost(r, refCalls, 1), cost(r, recentCalls, pick(shifted, 1.5, 1)), Greater))
	}},
	{"welch less, cost -35%", func(r *rand.Rand, shifted bool) Test {
		return must(Welch(cost(r, refCalls, 1), cost(r, recentCalls, pick(shifted, 0.65, 1)), Less))
	}},
	{"proportions two-sided, error rate 3% -> 7%", func(r *rand.Rand, shifted bool) Test {
		return must(Proportions(errorCount(r, 2000, 0.03), 2000, errorCount(r, 1000, pick(shifted, 0.07, 0.03)), 1000, TwoSided))
	}},
	{"proportions greater, error rate 3% -> 7%", func(r *rand.Rand, shifted bool) Test {
		return must(Proportions(errorCount(r, 2000, 0.03), 2000, errorCount(r, 1000, pick(shifted, 0.07, 0.03)), 1000, Greater))
	}},
	{"ks, latency +30%", func(r *rand.Rand, shifted bool) Test {
		return must(KS(latency(r, refCalls, 1), latency(r, recentCalls, pick(shifted, 1.3, 1))))
	}},
	{"ks, same mean and variance, bimodal", func(r *rand.Rand, shifted bool) Test {
		return must(KS(normalOrBimodal(r, refCalls, false), normalOrBimodal(r, recentCalls, shifted)))
	}},
}

func pick(shifted bool, yes, no float64) float64 {
	if shifted {
		return yes
	}
	return no
}

// TestTwoSampleFalseAlarms checks that the drift tests' p-values are
// calibrated: with both windows drawn from the same distribution, an alarm
// at P < 0.01 fires in about 1% of 2,000 windows: at most 2%, and at least
// 0.2% so that a test which never alarms cannot pass. (The KS p-value is
// asymptotic and errs on the conservative side.)
func TestTwoSampleFalseAlarms(t *testing.T) {
	t.Parallel()
	const windows = 2000
	for ci, c := range twoSampleCases {
		alarms := 0
		r := newRand(5, uint64(ci))
		for range windows {
			if c.test(r, false).P < alarmP {
				alarms++
			}
		}
		rate := float64(alarms) / windows
		msg := "%s, no change: P < %.2f in %d of %d windows (%.2f%%)"
		if rate > 2*alarmP || rate < 0.2*alarmP {
			t.Errorf(msg+", want 0.2%%..2%%", c.name, alarmP, alarms, windows, 100*rate)
		} else {
			t.Logf(msg, c.name, alarmP, alarms, windows, 100*rate)
		}
	}
}

// TestTwoSamplePower checks that an injected change is caught: P < 0.01 in
// at least 90% of 500 windows for each shift in twoSampleCases.
func TestTwoSamplePower(t *testing.T) {
	t.Parallel()
	const (
		windows  = 500
		minPower = 0.9
	)
	for ci, c := range twoSampleCases {
		alarms := 0
		r := newRand(6, uint64(ci))
		for range windows {
			if c.test(r, true).P < alarmP {
				alarms++
			}
		}
		rate := float64(alarms) / windows
		msg := "%s: P < %.2f in %d of %d windows (%.1f%%)"
		if rate < minPower {
			t.Errorf(msg+", want >= %.0f%%", c.name, alarmP, alarms, windows, 100*rate, 100*minPower)
		} else {
			t.Logf(msg, c.name, alarmP, alarms, windows, 100*rate)
		}
	}
}

// TestWelchMissesShapeChange shows why KS is there: a change that keeps the
// mean and variance is invisible to Welch (it alarms at about its
// false-alarm rate) while KS catches it (TestTwoSamplePower).
func TestWelchMissesShapeChange(t *testing.T) {
	t.Parallel()
	const windows = 500
	r := newRand(7, 0)
	alarms := 0
	for range windows {
		res := must(Welch(normalOrBimodal(r, refCalls, false), normalOrBimodal(r, recentCalls, true), TwoSided))
		if res.P < alarmP {
			alarms++
		}
	}
	rate := float64(alarms) / windows
	t.Logf("welch on a same-mean bimodal change: P < %.2f in %d of %d windows (%.1f%%)", alarmP, alarms, windows, 100*rate)
	if rate > 0.05 {
		t.Errorf("welch alarmed in %.1f%% of windows on a change with no mean shift; expected about 1%%", 100*rate)
	}
}
