package verify

import (
	"errors"
	"log/slog"
	"math"
	"time"

	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/stats"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Actor is who the loop's writes are recorded as: the recommendation's
// transitions, the rollback's alias version and the audit entries.
const Actor = "system:verification"

// Defaults, each with the reason it is what it is.
const (
	// DefaultBefore is the before window: a week, so every weekday and the
	// weekend are in it and a weekly traffic cycle cannot pose as a change.
	DefaultBefore = 7 * 24 * time.Hour
	// DefaultMaxAfter is the longest stretch of the after window read: the
	// latest week, matching the before window and keeping a fresh
	// regression of an old change from being diluted.
	DefaultMaxAfter = 7 * 24 * time.Hour
	// DefaultSlice is the length a window is read in: a day, so a bounded
	// read samples every day of the window rather than only its last hours.
	DefaultSlice = 24 * time.Hour
	// DefaultMaxTraces bounds the calls read per window and recommendation:
	// 5,000 gives each test ample power while one pass over an org with
	// many live recommendations stays within the drift job's time bound.
	DefaultMaxTraces = 5000
	// DefaultMinN is the fewest observations per side a check is tested
	// on: below about 30 Welch's p-values on skewed metrics such as cost
	// are off, and a proportion of a handful of calls says little.
	DefaultMinN = 30
	// DefaultAlpha is the family's error rate per pass: at 0.01 an
	// unchanged change is flagged by noise in at most one pass in a
	// hundred, before the min effects cut that much further.
	DefaultAlpha = 0.01
	// DefaultMinErrorIncrease is the smallest rise of the error rate that
	// counts, absolute: two percentage points.
	DefaultMinErrorIncrease = 0.02
	// DefaultMinLatencyIncrease is the smallest rise of the geometric mean
	// latency that counts, relative: ×1.25, where users notice.
	DefaultMinLatencyIncrease = 0.25
	// DefaultMinCostExcess is the smallest excess of cost per request over
	// the evaluation's prediction that counts, relative: 20 %, beyond what
	// a different prompt mix than the evaluated items explains.
	DefaultMinCostExcess = 0.20
	// DefaultMaxShadowRuns is how many shadow evaluations since the apply
	// are read, newest first: five scheduled runs reach back far enough to
	// hold thousands of items, and older ones speak for the change less.
	DefaultMaxShadowRuns = 5
	// DefaultMaxShadowResults bounds the shadow results read per
	// recommendation: as many as calls per window, ample for the
	// confidence sequence to resolve a drop of δ, and a bounded pass.
	DefaultMaxShadowResults = 5000
)

// Config holds the verifier's stores and bounds. Zero values take the
// defaults above.
type Config struct {
	// Actions rolls back; its Store reads and writes recommendations.
	Actions *recommend.Actions
	// Traces reads the alias's calls.
	Traces *trace.Store
	// Feedback reads the calls' feedback scores.
	Feedback *feedback.Store
	// Audit records regressions and rollbacks.
	Audit *audit.Store
	// Runs reads the shadow evaluations the shadow_score check rests on.
	Runs   *evalrun.Store
	Logger *slog.Logger

	// Before, MaxAfter and Slice shape the windows (see the package doc).
	Before, MaxAfter, Slice time.Duration
	// MaxTraces bounds the calls read per window.
	MaxTraces int
	// MinN is the fewest observations per side a check is tested on.
	MinN int
	// Alpha is the family-wise error rate of one verification.
	Alpha float64
	// MinErrorIncrease, MinLatencyIncrease and MinCostExcess are the
	// smallest effects that count as a regression.
	MinErrorIncrease, MinLatencyIncrease, MinCostExcess float64
	// FeedbackDelta is the feedback drop, and the shadow score gap, that
	// counts when a recommendation carries no margin δ of its own. Default
	// stats.DefaultDelta, the margin evaluations use by default.
	FeedbackDelta float64
	// MaxShadowRuns and MaxShadowResults bound the shadow evaluations read
	// per recommendation: the most recent runs, and their scored results
	// in all.
	MaxShadowRuns, MaxShadowResults int
}

// Verifier runs the verification loop. It holds no mutable state and is
// safe for concurrent use.
type Verifier struct {
	cfg Config
}

// New checks cfg and returns a Verifier with its defaults filled in.
func New(cfg Config) (*Verifier, error) {
	if cfg.Actions == nil || cfg.Actions.Store == nil || cfg.Actions.Aliases == nil ||
		cfg.Traces == nil || cfg.Feedback == nil || cfg.Audit == nil || cfg.Runs == nil {
		return nil, errors.New("verify: actions (with store and aliases), traces, feedback, audit and runs are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	durations := []struct {
		v *time.Duration
		d time.Duration
	}{{&cfg.Before, DefaultBefore}, {&cfg.MaxAfter, DefaultMaxAfter}, {&cfg.Slice, DefaultSlice}}
	for _, x := range durations {
		if *x.v == 0 {
			*x.v = x.d
		}
	}
	floats := []struct {
		v *float64
		d float64
	}{{&cfg.Alpha, DefaultAlpha}, {&cfg.MinErrorIncrease, DefaultMinErrorIncrease},
		{&cfg.MinLatencyIncrease, DefaultMinLatencyIncrease}, {&cfg.MinCostExcess, DefaultMinCostExcess},
		{&cfg.FeedbackDelta, stats.DefaultDelta}}
	for _, x := range floats {
		if *x.v == 0 {
			*x.v = x.d
		}
	}
	ints := []struct {
		v *int
		d int
	}{{&cfg.MaxTraces, DefaultMaxTraces}, {&cfg.MinN, DefaultMinN},
		{&cfg.MaxShadowRuns, DefaultMaxShadowRuns}, {&cfg.MaxShadowResults, DefaultMaxShadowResults}}
	for _, x := range ints {
		if *x.v == 0 {
			*x.v = x.d
		}
	}
	switch {
	case cfg.Before < 0 || cfg.MaxAfter < 0 || cfg.Slice < 0:
		return nil, errors.New("verify: windows and slices must be positive")
	case cfg.MaxTraces < 0 || cfg.MaxShadowRuns < 0 || cfg.MaxShadowResults < 0:
		return nil, errors.New("verify: max traces, shadow runs and shadow results must be positive")
	case cfg.MinN < 2:
		return nil, errors.New("verify: min n must be at least 2 (Welch needs two values per window)")
	case !(cfg.Alpha > 0 && cfg.Alpha < 1):
		return nil, errors.New("verify: alpha must be in (0, 1)")
	case !positive(cfg.MinErrorIncrease) || !positive(cfg.MinLatencyIncrease) ||
		!positive(cfg.MinCostExcess) || !positive(cfg.FeedbackDelta):
		return nil, errors.New("verify: min effects must be positive and finite")
	}
	return &Verifier{cfg: cfg}, nil
}

func positive(x float64) bool { return x > 0 && !math.IsInf(x, 1) }
