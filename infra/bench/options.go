package bench

import (
	"errors"
	"io"
	"time"
)

// Options configure a run. Defaults returns the full run `make bench` does;
// Smoke the one-iteration run `make test` does.
type Options struct {
	// Smoke runs one short iteration of everything, reports a missing peer
	// instead of failing, and writes nothing into the repository.
	Smoke bool
	// OutDir receives BENCHMARKS.md and latency.png. Empty means the
	// repository (BENCHMARKS.md at its root, the chart under bench/).
	OutDir string
	// Command is the command line that reproduces the run, for the report.
	Command string

	// UpstreamLatency is the paced upstream's answer time (non-streamed).
	UpstreamLatency time.Duration
	// StreamFirstByte and ChunkInterval pace the streaming upstream.
	StreamFirstByte time.Duration
	ChunkInterval   time.Duration
	// MaxTokens is the output ceiling of non-streamed calls; StreamTokens
	// of streamed ones (one chunk per token, plus role, finish and usage).
	MaxTokens    int
	StreamTokens int

	// Levels are the concurrency levels of the non-streamed latency runs.
	Levels []int
	// Requests and Warmup are per level; MaxDuration bounds each run.
	Requests    int
	Warmup      int
	MaxDuration time.Duration
	// Streams streamed calls run StreamConcurrency at a time.
	Streams           int
	StreamConcurrency int
	// Saturation is the closed-loop concurrency of the throughput run,
	// which lasts SaturationFor against the unpaced upstream.
	Saturation    int
	SaturationFor time.Duration
	// Metered is how many calls the AWS-call metering run makes.
	Metered int
	// ColdStarts is how many times each function's bootstrap is started.
	ColdStarts int

	// CPUProfile, when set, receives a pprof CPU profile of Tollgate's
	// gateway process during its saturation run.
	CPUProfile string

	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Defaults is the full `make bench` run: a few minutes on two cores.
func Defaults() Options {
	return Options{
		UpstreamLatency:   10 * time.Millisecond,
		StreamFirstByte:   50 * time.Millisecond,
		ChunkInterval:     10 * time.Millisecond,
		MaxTokens:         16,
		StreamTokens:      32,
		Levels:            []int{1, 8, 32},
		Requests:          600,
		Warmup:            50,
		MaxDuration:       20 * time.Second,
		Streams:           120,
		StreamConcurrency: 4,
		Saturation:        64,
		SaturationFor:     8 * time.Second,
		Metered:           200,
		ColdStarts:        5,
	}
}

// Smoke is one short iteration of everything, for `make test`.
func Smoke() Options {
	o := Defaults()
	o.Smoke = true
	o.Levels = []int{1, 4}
	o.Requests, o.Warmup, o.MaxDuration = 8, 2, 5*time.Second
	o.Streams, o.StreamConcurrency = 2, 1
	o.Saturation, o.SaturationFor = 4, 500*time.Millisecond
	o.Metered = 4
	o.ColdStarts = 1
	return o
}

func (o Options) validate() error {
	if len(o.Levels) == 0 || o.Requests < 1 || o.Streams < 1 || o.Metered < 1 || o.ColdStarts < 1 {
		return errors.New("bench: levels, requests, streams, metered calls and cold starts must be set")
	}
	if o.StreamConcurrency < 1 || o.Saturation < 1 || o.SaturationFor <= 0 || o.MaxDuration <= 0 {
		return errors.New("bench: concurrency and durations must be positive")
	}
	if o.MaxTokens < 1 || o.StreamTokens < 1 {
		return errors.New("bench: token ceilings must be positive")
	}
	for _, c := range o.Levels {
		if c < 1 {
			return errors.New("bench: concurrency levels must be positive")
		}
	}
	return nil
}
