package drift_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/drift"
)

// An unchanged stream flags nothing: 500 pairs of windows at each of three
// sizes (a busy model read to its bounds, a typical one, one just above
// MinN), every metric tested on each, with the default guards and a family
// of one model's five metrics (the least protective family the job uses).
// The family-wise level is 0.001, so noise may raise at most a rare flag:
// the bound below is loose enough to hold for any seed with probability
// above 0.998, and the figures are logged.
func TestUnchangedStreamFlagsNothing(t *testing.T) {
	t.Parallel() // pure: no table, no shared state
	sizes := []struct{ ref, rec int }{{2000, 2000}, {2000, 500}, {40, 40}}
	const pairs = 500
	total := 0
	for _, sz := range sizes {
		flagged := map[drift.Metric]int{}
		families := 0
		for i := range pairs {
			ref, rec := pair(uint64(1000*sz.rec+i), steady(), steady(), sz.ref, sz.rec)
			fs := drift.Compare(ref, rec, drift.Options{})
			if len(fs) > 0 {
				families++
			}
			for _, f := range fs {
				flagged[f.Metric]++
			}
		}
		total += families
		t.Logf("n=%d/%d: %d of %d families flagged (%d tests, family alpha 0.001): %v",
			sz.ref, sz.rec, families, pairs, pairs*len(drift.Metrics), flagged)
		if families > 3 {
			t.Errorf("n=%d/%d: %d of %d unchanged windows raised a flag %v; the family-wise level allows ~0.5",
				sz.ref, sz.rec, families, pairs, flagged)
		}
	}
	if total > 4 {
		t.Errorf("%d false alarms over %d unchanged pairs", total, pairs*len(sizes))
	}
}

// The tests Compare relies on are calibrated on these skewed, discrete,
// mixed distributions: with the guards opened to a plain per-test 0.05,
// each metric rejects an unchanged stream about 5 % of the time, even at
// 40 calls a window. (So the Bonferroni level really is what it claims.)
// Welch on the skewed output length is slightly liberal (~6-7 %), which
// the effect gate and the Bonferroni level absorb.
func TestTestsAreCalibrated(t *testing.T) {
	t.Parallel() // pure: no table, no shared state
	open := drift.Options{FamilyAlpha: 0.05 * float64(len(drift.Metrics)), MinStandardized: 1e-12,
		MinErrorRateH: 1e-12, MinCostChange: 1e-12}
	if a := open.Alpha(); math.Abs(a-0.05) > 1e-12 {
		t.Fatalf("per-test alpha %v", a)
	}
	const pairs = 1000
	for _, sz := range []struct{ ref, rec int }{{2000, 500}, {40, 40}} {
		rejected := map[drift.Metric]int{}
		for i := range pairs {
			ref, rec := pair(uint64(77_000+i), steady(), steady(), sz.ref, sz.rec)
			for _, f := range drift.Compare(ref, rec, open) {
				rejected[f.Metric]++
			}
		}
		var line []string
		for _, m := range drift.Metrics {
			rate := float64(rejected[m]) / pairs
			line = append(line, fmt.Sprintf("%s %.1f%%", m, 100*rate))
			lo := 0.03
			if sz.rec < 100 && (m == drift.ErrorRate || m == drift.Score) {
				// 2 % of 40 calls: too few errors to test most of the time
				// (MinEvents); 40 % of 40 calls rated: fewer than MinN scores.
				lo = 0
			}
			if rate < lo || rate > 0.08 {
				t.Errorf("n=%d/%d: %s rejects an unchanged stream %.1f%% of the time at nominal 5%%", sz.ref, sz.rec, m, 100*rate)
			}
		}
		t.Logf("n=%d/%d, nominal 5%%, %d pairs: %s", sz.ref, sz.rec, pairs, strings.Join(line, ", "))
	}
}

// Each injected change is flagged, naming its metric, with its effect, in
// at least 95 of 100 pairs: a day of 1,000 calls against a week read to
// its 2,000-call bound, in a family of four models (20 tests, 5e-5 each).
// The same at 500 calls a day is logged (and must reach 80 %): feedback on
// 40 % of calls then gives ~190 recent scores, where a 0.15 drop is found
// about nine times in ten.
//
// Other metrics stay quiet, with one real exception: longer outputs shift
// a call's token mix towards output tokens, which cost 4× input tokens, so
// cost per token genuinely rises with them (by about 10 % here, right at
// the gate); when it is flagged, it must be an increase of at least 10 %.
func TestInjectedChangesAreFlagged(t *testing.T) {
	t.Parallel() // pure: no table, no shared state
	opts := drift.Options{Family: 4 * len(drift.Metrics)}
	cases := []struct {
		metric drift.Metric
		change func(*stream)
		check  func(f drift.Flag) error
	}{
		{drift.CostPerToken, func(s *stream) { s.PriceIn *= 1.3; s.PriceOut *= 1.3 }, func(f drift.Flag) error {
			return near("relative", f.Relative, 0.30, 0.10)
		}},
		{drift.Latency, func(s *stream) { s.LatencyMedianMS *= 1.5 }, func(f drift.Flag) error {
			return near("ratio of geometric means", f.Recent.Mean/f.Reference.Mean, 1.5, 0.2)
		}},
		{drift.ErrorRate, func(s *stream) { s.ErrRate = 0.10 }, func(f drift.Flag) error {
			if err := near("reference rate", f.Reference.Mean, 0.02, 0.015); err != nil {
				return err
			}
			return near("recent rate", f.Recent.Mean, 0.10, 0.06)
		}},
		{drift.OutputLength, func(s *stream) { s.OutMean *= 1.3 }, func(f drift.Flag) error {
			return near("relative", f.Relative, 0.30, 0.15)
		}},
		{drift.Score, func(s *stream) { s.ScoreShift = -0.15 }, func(f drift.Flag) error {
			return near("effect", f.Effect, -0.15, 0.08)
		}},
	}
	const pairs = 100
	for _, c := range cases {
		t.Run(string(c.metric), func(t *testing.T) {
			after := steady()
			c.change(&after)
			for _, rec := range []int{1000, 500} {
				hits, others := 0, map[drift.Metric]int{}
				var example drift.Flag
				for i := range pairs {
					ref, recent := pair(uint64(5_000+i), steady(), after, 2000, rec)
					for _, f := range drift.Compare(ref, recent, opts) {
						if f.Metric != c.metric {
							others[f.Metric]++
							if c.metric == drift.OutputLength && f.Metric == drift.CostPerToken && f.Relative >= 0.10 {
								continue // the mix shift: real, see above
							}
							t.Errorf("n=%d pair %d: a %s change also flagged %s: %+v", rec, i, c.metric, f.Metric, f)
							continue
						}
						hits++
						if err := c.check(f); err != nil {
							t.Errorf("n=%d pair %d: %v (flag %+v)", rec, i, err, f)
						}
						example = f
					}
				}
				t.Logf("%s, %d recent calls: flagged in %d of %d pairs; also flagged: %v; e.g. %s %.3g p=%.2g (alpha %.2g), means %.4g → %.4g, effect %.4g (%+.1f%%), standardized %.2f, n %d/%d",
					c.metric, rec, hits, pairs, others, example.Statistic.Name, example.Statistic.Value, example.Statistic.P,
					example.Statistic.Alpha, example.Reference.Mean, example.Recent.Mean, example.Effect, 100*example.Relative,
					example.Standardized, example.Reference.N, example.Recent.N)
				if want := map[int]int{1000: 95, 500: 80}[rec]; hits < want {
					t.Errorf("%s change flagged in only %d of %d pairs at %d recent calls", c.metric, hits, pairs, rec)
				}
			}
		})
	}
}

func near(what string, got, want, tol float64) error {
	if math.Abs(got-want) > tol {
		return fmt.Errorf("%s %.4f, want %.4f ± %.4f", what, got, want, tol)
	}
	return nil
}

// A flag carries its evidence: the model, the metric, the statistic, both
// windows with their n and means, and the effect; it encodes to JSON with
// the API's field names.
func TestFlagCarriesItsEvidence(t *testing.T) {
	t.Parallel() // pure: no table, no shared state
	after := steady()
	after.PriceIn, after.PriceOut = after.PriceIn*1.3, after.PriceOut*1.3
	ref, rec := pair(42, steady(), after, 2000, 500)
	fs := drift.Compare(ref, rec, drift.Options{})
	if len(fs) != 1 {
		t.Fatalf("flags %+v, want the cost per token", fs)
	}
	f := fs[0]
	if f.Model != "openai/gpt-4o-mini" || f.Metric != drift.CostPerToken || f.Unit != "nano_usd_per_token" ||
		f.Statistic.Name != "welch_t" || !(f.Statistic.P < f.Statistic.Alpha) || f.Statistic.Alpha != 0.001/5 ||
		f.Statistic.Family != 5 || f.Direction != "increase" {
		t.Fatalf("flag %+v", f)
	}
	if !f.Reference.Start.Equal(refBeg) || !f.Reference.End.Equal(recentBeg) || !f.Recent.Start.Equal(recentBeg) ||
		!f.Recent.End.Equal(recentEnd) {
		t.Fatalf("windows %+v %+v", f.Reference, f.Recent)
	}
	// n counts the priced, non-estimated successful calls.
	if f.Reference.N < 1900 || f.Reference.N > 1980 || f.Recent.N < 470 || f.Recent.N > 495 {
		t.Fatalf("n %d/%d", f.Reference.N, f.Recent.N)
	}
	if err := near("effect", f.Effect, f.Recent.Mean-f.Reference.Mean, 1e-9); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"model":"openai/gpt-4o-mini"`, `"metric":"cost_per_token"`, `"statistic":{"name":"welch_t"`,
		`"p_value":`, `"reference":{"start":"2026-09-23T00:00:00Z","end":"2026-09-30T00:00:00Z","n":`,
		`"recent":{"start":"2026-09-30T00:00:00Z","end":"2026-10-01T00:00:00Z","n":`, `"effect":`, `"relative":`, `"standardized":`} {
		if !strings.Contains(string(b), k) {
			t.Fatalf("JSON lacks %s: %s", k, b)
		}
	}
}

// A statistically clear but tiny shift on huge samples pages nobody: a 3 %
// price rise and 5 % slower calls over 20,000 calls a window are far below
// any level, but under the minimum effects.
func TestTinyShiftsOnHugeSamplesAreNotFlagged(t *testing.T) {
	t.Parallel() // pure: no table, no shared state
	after := steady()
	after.PriceIn, after.PriceOut, after.LatencyMedianMS = after.PriceIn*1.03, after.PriceOut*1.03, after.LatencyMedianMS*1.05
	ref, rec := pair(9, steady(), after, 20_000, 20_000)
	noGate := drift.Options{MinStandardized: 1e-12, MinCostChange: 1e-12, MinErrorRateH: 1e-12}
	significant := map[drift.Metric]drift.Flag{}
	for _, f := range drift.Compare(ref, rec, noGate) {
		significant[f.Metric] = f
	}
	c, l := significant[drift.CostPerToken], significant[drift.Latency]
	if c.Metric == "" || l.Metric == "" {
		t.Fatalf("without the effect gate the shifts should be significant: %v", significant)
	}
	t.Logf("without the gate: cost %+.1f%% p=%.2g, latency d=%.3f p=%.2g", 100*c.Relative, c.Statistic.P, l.Standardized, l.Statistic.P)
	if fs := drift.Compare(ref, rec, drift.Options{}); len(fs) != 0 {
		t.Fatalf("tiny shifts flagged: %+v", fs)
	}
}

// Below MinN values a side, a metric is not tested, however large the change.
func TestTooFewCallsAreNotTested(t *testing.T) {
	t.Parallel() // pure: no table, no shared state
	after := steady()
	after.PriceIn, after.PriceOut, after.ErrRate = after.PriceIn*2, after.PriceOut*2, 0
	ref, rec := pair(3, steady(), after, 2000, 29)
	if fs := drift.Compare(ref, rec, drift.Options{}); len(fs) != 0 {
		t.Fatalf("29 recent calls flagged %+v", fs)
	}
	ref, rec = pair(3, steady(), after, 2000, 40)
	fs := drift.Compare(ref, rec, drift.Options{})
	if len(fs) != 1 || fs[0].Metric != drift.CostPerToken {
		t.Fatalf("40 recent calls with doubled prices: %+v", fs)
	}
}

// A constant cost per token that changes (every call the same shape) is a
// degenerate Welch test with infinite t: flagged, and still storable.
func TestConstantCostChangeIsFlagged(t *testing.T) {
	t.Parallel() // pure: no table, no shared state
	w := func(n int, cost int64) drift.Window {
		win := drift.Window{Model: "openai/x", Start: refBeg, End: recentBeg}
		for i := range n {
			win.Calls = append(win.Calls, drift.Call{TraceID: fmt.Sprint(i), Status: "ok", TokensIn: 10, TokensOut: 10,
				CostNano: cost, LatencyMS: int64(100 + i%7)})
		}
		return win
	}
	fs := drift.Compare(w(50, 1000), w(50, 1300), drift.Options{})
	if len(fs) != 1 || fs[0].Metric != drift.CostPerToken || fs[0].Statistic.P != 0 {
		t.Fatalf("flags %+v", fs)
	}
	if _, err := json.Marshal(fs[0]); err != nil {
		t.Fatal(err)
	}
}
