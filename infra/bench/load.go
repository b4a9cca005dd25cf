package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// LoadSpec bounds one closed-loop load run: Concurrency workers each send a
// request as soon as their previous one finished, until Requests were
// measured or MaxDuration passed, whichever comes first. Warmup requests
// go first and are not measured (connections, caches, JIT).
type LoadSpec struct {
	Concurrency int
	Requests    int
	Warmup      int
	MaxDuration time.Duration
}

// Sample is what one request measured, from the client's side.
type Sample struct {
	// Latency is from sending the request to having read the whole answer
	// (for a stream: to its [DONE] event).
	Latency time.Duration
	// TTFB is the time to the first SSE data event of a stream.
	TTFB time.Duration
	// Gaps are the intervals between a stream's consecutive data events.
	Gaps []time.Duration
}

// Shot sends one request and measures it.
type Shot func(ctx context.Context, client *http.Client) (Sample, error)

// LoadResult is what a load run measured.
type LoadResult struct {
	Samples []Sample
	// Errors counts failed requests; FirstError describes the first.
	Errors     int
	FirstError string
	// Elapsed is the measured phase's wall time (warm-up excluded).
	Elapsed time.Duration
}

// Throughput is successful requests per second over the measured phase.
func (r LoadResult) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(len(r.Samples)) / r.Elapsed.Seconds()
}

// Latencies returns the distribution of the samples' latencies.
func (r LoadResult) Latencies() Dist {
	return r.dist(func(s Sample) []time.Duration { return []time.Duration{s.Latency} })
}

// TTFBs returns the distribution of the samples' times to first byte.
func (r LoadResult) TTFBs() Dist {
	return r.dist(func(s Sample) []time.Duration { return []time.Duration{s.TTFB} })
}

// Gaps returns the distribution of every inter-chunk gap of every sample.
func (r LoadResult) Gaps() Dist { return r.dist(func(s Sample) []time.Duration { return s.Gaps }) }

func (r LoadResult) dist(pick func(Sample) []time.Duration) Dist {
	var all []time.Duration
	for _, s := range r.Samples {
		all = append(all, pick(s)...)
	}
	return NewDist(all)
}

// NewClient returns an HTTP client for a load run with keep-alive
// connections for every worker, and no compression (the upstreams send
// none; a client asking for it would change what the gateways do).
func NewClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        concurrency * 2,
			MaxIdleConnsPerHost: concurrency * 2,
			IdleConnTimeout:     30 * time.Second,
			DisableCompression:  true,
		},
	}
}

// Load runs spec against shot. It returns an error only when the context
// ends first; failed requests are counted in the result.
func Load(ctx context.Context, spec LoadSpec, shot Shot) (LoadResult, error) {
	if spec.Concurrency < 1 || spec.Requests < 1 || spec.MaxDuration <= 0 {
		return LoadResult{}, errors.New("load: concurrency, requests and duration must be positive")
	}
	client := NewClient(spec.Concurrency)
	defer client.CloseIdleConnections()
	if spec.Warmup > 0 {
		w := spec
		w.Requests, w.Warmup = spec.Warmup, 0
		if _, err := run(ctx, client, w, shot); err != nil {
			return LoadResult{}, err
		}
	}
	return run(ctx, client, spec, shot)
}

func run(ctx context.Context, client *http.Client, spec LoadSpec, shot Shot) (LoadResult, error) {
	var (
		issued atomic.Int64
		mu     sync.Mutex
		res    LoadResult
		wg     sync.WaitGroup
	)
	deadline := time.Now().Add(spec.MaxDuration)
	start := time.Now()
	for range spec.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) && issued.Add(1) <= int64(spec.Requests) {
				s, err := shot(ctx, client)
				mu.Lock()
				if err != nil {
					if res.Errors == 0 {
						res.FirstError = err.Error()
					}
					res.Errors++
				} else {
					res.Samples = append(res.Samples, s)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("load run: %w", err)
	}
	return res, nil
}
