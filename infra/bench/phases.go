package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// measureLatency runs non-streamed calls to the paced upstream at every
// concurrency level, target after target within a level, so every target
// meets the machine in the same state. At concurrency 1 it also reads
// Tollgate's handler time (what Lambda bills) and log volume per call.
func (s *session) measureLatency(ctx context.Context) error {
	for _, c := range s.o.Levels {
		lv := Level{Concurrency: c, ByTarget: map[string]LoadResult{}}
		spec := LoadSpec{Concurrency: c, Requests: s.o.Requests, Warmup: max(s.o.Warmup, c), MaxDuration: s.o.MaxDuration}
		for _, t := range s.targets {
			billing := t.Name == NameTollgate && c == 1
			var before handlerStats
			var logBefore int64
			if billing {
				if err := s.gw.resetHandlerStats(ctx); err != nil {
					return err
				}
				var err error
				if before, err = s.gw.handlerStats(ctx); err != nil {
					return err
				}
				logBefore = s.gw.stdout.n.Load()
			}
			res, err := Load(ctx, spec, CompleteShot(t.Endpoints[Paced], s.o.MaxTokens))
			if err != nil {
				return err
			}
			fmt.Fprintf(s.log, "  c=%-3d %-9s %5d ok %3d failed  p50 %v\n", c, t.Name, len(res.Samples), res.Errors, res.Latencies().P(50))
			lv.ByTarget[t.Name] = res
			if billing {
				if err := s.readBilling(ctx, spec.Warmup, before, logBefore); err != nil {
					return err
				}
			}
		}
		s.res.Latency = append(s.res.Latency, lv)
	}
	return nil
}

// readBilling reads the handler durations of the run just made, less its
// warm-up (at concurrency 1 they arrive in order), and its log bytes and
// allocations per call.
func (s *session) readBilling(ctx context.Context, warmup int, before handlerStats, logBefore int64) error {
	st, err := s.gw.settled(ctx)
	if err != nil {
		return err
	}
	calls := len(st.DurationsUS)
	if calls <= warmup {
		return fmt.Errorf("tollgate recorded %d calls, expected more than the %d warm-up calls", calls, warmup)
	}
	ds := make([]time.Duration, 0, calls-warmup)
	for _, us := range st.DurationsUS[warmup:] {
		ds = append(ds, time.Duration(us)*time.Microsecond)
	}
	s.res.Billed = NewDist(ds)
	s.res.LogBytes = float64(s.gw.stdout.n.Load()-logBefore) / float64(calls)
	s.res.Allocs = float64(st.Mallocs-before.Mallocs) / float64(calls)
	s.res.AllocBytes = float64(st.TotalAlloc-before.TotalAlloc) / float64(calls)
	return nil
}

// measureStreaming runs streamed calls against the streaming upstream.
func (s *session) measureStreaming(ctx context.Context) error {
	spec := LoadSpec{Concurrency: s.o.StreamConcurrency, Requests: s.o.Streams, Warmup: s.o.StreamConcurrency, MaxDuration: 4 * s.o.MaxDuration}
	for _, t := range s.targets {
		res, err := Load(ctx, spec, StreamShot(t.Endpoints[Stream], s.o.StreamTokens))
		if err != nil {
			return err
		}
		fmt.Fprintf(s.log, "  %-9s %4d ok %3d failed  ttfb p50 %v  gap p50 %v\n", t.Name, len(res.Samples), res.Errors, res.TTFBs().P(50), res.Gaps().P(50))
		s.res.Streaming[t.Name] = res
	}
	return nil
}

// measureSaturation drives each target as hard as the closed loop can
// against the unpaced upstream, for a fixed time, and reads the CPU time
// the target's processes used per call. Tollgate runs a second time spread
// over several orgs: if its figure rises, one org's counters were the
// bottleneck; if not, the local stack was.
func (s *session) measureSaturation(ctx context.Context) error {
	spec := LoadSpec{Concurrency: s.o.Saturation, Requests: 1 << 30, Warmup: s.o.Saturation, MaxDuration: s.o.SaturationFor}
	for _, t := range s.targets {
		var profiled chan error
		if t.Name == NameTollgate && s.o.CPUProfile != "" {
			profiled = make(chan error, 1)
			go func() {
				profiled <- s.gw.cpuProfile(ctx, max(1, int(s.o.SaturationFor/time.Second)-1), s.o.CPUProfile)
			}()
		}
		res, cpu, busy, err := s.saturate(ctx, spec, t, CompleteShot(t.Endpoints[Fast], s.o.MaxTokens))
		if profiled != nil {
			err = errors.Join(err, <-profiled)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(s.log, "  %-9s %8.0f req/s  %d failed\n", t.Name, res.Throughput(), res.Errors)
		s.res.Saturation[t.Name] = res
		s.res.MachineBusy[t.Name] = busy
		if cpu > 0 {
			s.res.CPUPerCall[t.Name] = cpu
		}
	}
	if s.gw == nil {
		return nil
	}
	shots := make([]Shot, 0, len(s.spread))
	for _, d := range s.spread {
		shots = append(shots, CompleteShot(s.gw.target(d).Endpoints[Fast], s.o.MaxTokens))
	}
	var next atomic.Int64
	res, _, busy, err := s.saturate(ctx, spec, Target{}, func(ctx context.Context, c *http.Client) (Sample, error) {
		return shots[int(next.Add(1))%len(shots)](ctx, c)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(s.log, "  tollgate over %d orgs %8.0f req/s  %d failed\n", len(shots), res.Throughput(), res.Errors)
	s.res.SaturationSpread = res
	s.res.MachineBusy[spreadName] = busy
	_, err = s.gw.settled(ctx)
	return err
}

// saturate runs one saturation load and returns the target's CPU time per
// call (0 for a target without processes of its own) and the share of the
// machine's CPU that was busy meanwhile.
func (s *session) saturate(ctx context.Context, spec LoadSpec, t Target, shot Shot) (LoadResult, time.Duration, float64, error) {
	var before time.Duration
	var err error
	if t.PIDs != nil {
		if before, err = processCPU(t.PIDs()); err != nil {
			return LoadResult{}, 0, 0, err
		}
	}
	b0, t0, err := machineCPU()
	if err != nil {
		return LoadResult{}, 0, 0, err
	}
	res, err := Load(ctx, spec, shot)
	if err != nil {
		return res, 0, 0, err
	}
	b1, t1, err := machineCPU()
	if err != nil {
		return res, 0, 0, err
	}
	busy := busyShare(b0, t0, b1, t1)
	if t.PIDs == nil {
		return res, 0, busy, nil
	}
	if t.Name == NameTollgate {
		if _, err := s.gw.settled(ctx); err != nil {
			return res, 0, 0, err
		}
	}
	after, err := processCPU(t.PIDs())
	if err != nil {
		return res, 0, 0, err
	}
	calls := len(res.Samples) + res.Errors + spec.Warmup
	return res, (after - before) / time.Duration(max(calls, 1)), busy, nil
}

// measureMemory reads every target's memory after all the load.
func (s *session) measureMemory(ctx context.Context) error {
	for _, t := range s.targets {
		if t.PIDs == nil {
			continue
		}
		m, err := readMemory(t.PIDs())
		if err != nil {
			return err
		}
		use := s.res.Memory[t.Name]
		use.Loaded = m
		s.res.Memory[t.Name] = use
	}
	return nil
}

// measureFunctions builds every function and times its cold starts; the
// smoke run builds only for this machine.
func (s *session) measureFunctions(ctx context.Context) error {
	fs, err := measureFunctions(ctx, s.root, s.stack, s.o.ColdStarts, !s.o.Smoke, s.log)
	s.res.Functions = fs
	return err
}
