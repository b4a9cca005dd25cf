package drift

import (
	"math"
	"time"

	"github.com/tollgate-dev/tollgate/shared/stats"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Metric is what a flag is about.
type Metric string

// Metrics, in the order Compare tests them.
const (
	CostPerToken Metric = "cost_per_token"
	Latency      Metric = "latency"
	ErrorRate    Metric = "error_rate"
	OutputLength Metric = "output_length"
	Score        Metric = "score"
)

// Metrics is every metric Compare tests: the family size of one model.
var Metrics = []Metric{CostPerToken, Latency, ErrorRate, OutputLength, Score}

// Units of the means and effects in a Flag, per metric.
var units = map[Metric]string{
	CostPerToken: "nano_usd_per_token",
	Latency:      "ms_geometric_mean",
	ErrorRate:    "fraction",
	OutputLength: "tokens",
	Score:        "score",
}

// Call is what Compare needs of one call.
type Call struct {
	TraceID   string
	Status    string
	TokensIn  int64
	TokensOut int64
	CostNano  int64
	Unpriced  bool // no price: cost 0, not a cost signal
	Estimated bool // usage never arrived: the cost is the worst-case estimate
	LatencyMS int64
	// Score is the call's feedback score when Scored.
	Score  float64
	Scored bool
}

// CallOf is a trace's call, unscored.
func CallOf(t *trace.Trace) Call {
	return Call{TraceID: t.ID, Status: t.Status, TokensIn: t.TokensIn, TokensOut: t.TokensOut, CostNano: t.CostNano,
		Unpriced: t.Unpriced, Estimated: t.Estimated, LatencyMS: t.LatencyMS}
}

// Window is one model's calls in [Start, End).
type Window struct {
	Model      string // provider/model
	Start, End time.Time
	Calls      []Call
	// Sampled says a slice of the window reached its bound, so Calls may
	// be the newest of each slice rather than all of them.
	Sampled bool
}

// Options are Compare's false-alarm guards. A zero field takes its default.
type Options struct {
	// MinN is the fewest values each window needs for a metric to be
	// tested. Default 30.
	MinN int
	// FamilyAlpha is the family-wise false-alarm level. Default 0.001.
	FamilyAlpha float64
	// Family is the number of tests FamilyAlpha is shared among
	// (Bonferroni): the job passes len(Metrics) × the org's models in use.
	// Default len(Metrics).
	Family int
	// MinStandardized is the smallest |Cohen's d| flagged for latency,
	// output length and score. Default 0.2 (Cohen's "small").
	MinStandardized float64
	// MinErrorRateH is the smallest |Cohen's h| flagged for the error rate.
	// Default 0.1.
	MinErrorRateH float64
	// MinCostChange is the smallest relative change of the mean cost per
	// token flagged. Default 0.10.
	MinCostChange float64
	// MinEvents is the fewest errors, and the fewest successes, both
	// windows must hold together for the error rate to be tested.
	// Default 5.
	MinEvents int
}

// Defaults.
const (
	DefaultMinN            = 30
	DefaultFamilyAlpha     = 0.001
	DefaultMinStandardized = 0.2
	DefaultMinErrorRateH   = 0.1
	DefaultMinCostChange   = 0.10
	DefaultMinEvents       = 5
)

func (o Options) withDefaults() Options {
	if o.MinN <= 0 {
		o.MinN = DefaultMinN
	}
	o.MinN = max(o.MinN, 2) // Welch needs two values a side
	if o.FamilyAlpha <= 0 || o.FamilyAlpha >= 1 {
		o.FamilyAlpha = DefaultFamilyAlpha
	}
	if o.Family <= 0 {
		o.Family = len(Metrics)
	}
	if o.MinStandardized <= 0 {
		o.MinStandardized = DefaultMinStandardized
	}
	if o.MinErrorRateH <= 0 {
		o.MinErrorRateH = DefaultMinErrorRateH
	}
	if o.MinCostChange <= 0 {
		o.MinCostChange = DefaultMinCostChange
	}
	if o.MinEvents <= 0 {
		o.MinEvents = DefaultMinEvents
	}
	return o
}

// Alpha is the level each single test is held to.
func (o Options) Alpha() float64 {
	o = o.withDefaults()
	return o.FamilyAlpha / float64(o.Family)
}

// Compare tests every metric of recent against reference and returns a
// flag for each change that passes all three guards (enough values,
// p below the Bonferroni level, effect at least the minimum), in Metrics
// order. It is a pure function: same windows, same flags. Flags carry no
// DetectedAt; the caller stamps it.
func Compare(reference, recent Window, opts Options) []Flag {
	opts = opts.withDefaults()
	alpha := opts.FamilyAlpha / float64(opts.Family)
	ref, rec := valuesOf(reference.Calls), valuesOf(recent.Calls)
	var flags []Flag
	flag := func(m Metric, t stats.Test, refMean, recMean float64, nRef, nRec int) {
		f := Flag{
			Model: recent.Model, Metric: m, Unit: units[m],
			Statistic: Statistic{Name: t.Name, Value: finite(t.Statistic), P: t.P, Alpha: alpha, Family: opts.Family},
			Reference: Side{Start: reference.Start.UTC(), End: reference.End.UTC(), N: nRef, Mean: refMean, Sampled: reference.Sampled},
			Recent:    Side{Start: recent.Start.UTC(), End: recent.End.UTC(), N: nRec, Mean: recMean, Sampled: recent.Sampled},
			Effect:    recMean - refMean, Standardized: finite(t.Standardized),
		}
		if refMean != 0 {
			f.Relative = f.Effect / refMean
		}
		f.Direction = "increase"
		if f.Effect < 0 {
			f.Direction = "decrease"
		}
		flags = append(flags, f)
	}
	significant := func(t stats.Test, err error) bool {
		return err == nil && !math.IsNaN(t.P) && t.P < alpha
	}

	// Cost per token: the gate is the relative change of the mean.
	if len(ref.cost) >= opts.MinN && len(rec.cost) >= opts.MinN {
		t, err := stats.Welch(ref.cost, rec.cost, stats.TwoSided)
		if significant(t, err) && relativeChange(t.MeanA, t.MeanB) >= opts.MinCostChange {
			flag(CostPerToken, t, t.MeanA, t.MeanB, t.NA, t.NB)
		}
	}
	// Latency: Welch on log latency; means shown as geometric means in ms.
	if len(ref.logLatency) >= opts.MinN && len(rec.logLatency) >= opts.MinN {
		t, err := stats.Welch(ref.logLatency, rec.logLatency, stats.TwoSided)
		if significant(t, err) && math.Abs(t.Standardized) >= opts.MinStandardized {
			flag(Latency, t, math.Exp(t.MeanA), math.Exp(t.MeanB), t.NA, t.NB)
		}
	}
	// Error rate: two proportions, when the normal approximation holds.
	if ref.calls >= opts.MinN && rec.calls >= opts.MinN {
		errs, oks := ref.errors+rec.errors, ref.calls+rec.calls-ref.errors-rec.errors
		if errs >= opts.MinEvents && oks >= opts.MinEvents {
			t, err := stats.Proportions(ref.errors, ref.calls, rec.errors, rec.calls, stats.TwoSided)
			if significant(t, err) && math.Abs(t.Standardized) >= opts.MinErrorRateH {
				flag(ErrorRate, t, float64(ref.errors)/float64(ref.calls), float64(rec.errors)/float64(rec.calls), ref.calls, rec.calls)
			}
		}
	}
	// Output length of successful calls.
	if len(ref.output) >= opts.MinN && len(rec.output) >= opts.MinN {
		t, err := stats.Welch(ref.output, rec.output, stats.TwoSided)
		if significant(t, err) && math.Abs(t.Standardized) >= opts.MinStandardized {
			flag(OutputLength, t, t.MeanA, t.MeanB, t.NA, t.NB)
		}
	}
	// Feedback scores.
	if len(ref.scores) >= opts.MinN && len(rec.scores) >= opts.MinN {
		t, err := stats.Welch(ref.scores, rec.scores, stats.TwoSided)
		if significant(t, err) && math.Abs(t.Standardized) >= opts.MinStandardized {
			flag(Score, t, t.MeanA, t.MeanB, t.NA, t.NB)
		}
	}
	return flags
}

// values are a window's per-call metric values.
type values struct {
	cost, logLatency, output, scores []float64
	calls, errors                    int
}

func valuesOf(calls []Call) values {
	var v values
	for _, c := range calls {
		v.calls++
		if c.Status != trace.StatusOK {
			v.errors++
			continue // the other metrics are about the answers the model gave
		}
		if tokens := c.TokensIn + c.TokensOut; !c.Unpriced && !c.Estimated && tokens > 0 && c.CostNano >= 0 {
			v.cost = append(v.cost, float64(c.CostNano)/float64(tokens))
		}
		v.logLatency = append(v.logLatency, math.Log(float64(max(c.LatencyMS, 1))))
		v.output = append(v.output, float64(c.TokensOut))
		if c.Scored && !math.IsNaN(c.Score) && !math.IsInf(c.Score, 0) {
			v.scores = append(v.scores, c.Score)
		}
	}
	return v
}

// relativeChange is |b − a| / a; a change from zero is infinite.
func relativeChange(a, b float64) float64 {
	if a == 0 {
		if b == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(b-a) / math.Abs(a)
}

// finite keeps a flag storable and JSON-encodable: an infinite statistic
// (two windows without variance) becomes the largest finite value.
func finite(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return 0
	case math.IsInf(x, 1):
		return math.MaxFloat64
	case math.IsInf(x, -1):
		return -math.MaxFloat64
	}
	return x
}
