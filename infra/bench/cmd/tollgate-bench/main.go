// Command tollgate-bench is `make bench`: it measures Tollgate's gateway
// beside the upstream called directly and beside peer gateways, in one
// run on this machine, and writes BENCHMARKS.md and bench/latency.png.
// With -smoke it runs one short iteration of everything and writes into a
// temporary directory instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/tollgate-dev/tollgate/infra/bench"
)

func main() {
	bench.RunChildIfAsked()
	o := bench.Defaults()
	smoke := flag.Bool("smoke", false, "one short iteration of everything; results go to a temporary directory")
	flag.StringVar(&o.OutDir, "out", "", "directory for BENCHMARKS.md and latency.png (default: the repository)")
	flag.DurationVar(&o.UpstreamLatency, "upstream-latency", o.UpstreamLatency, "paced upstream's answer time (non-streamed)")
	flag.DurationVar(&o.StreamFirstByte, "stream-first-byte", o.StreamFirstByte, "streaming upstream's time to its first chunk")
	flag.DurationVar(&o.ChunkInterval, "chunk-interval", o.ChunkInterval, "streaming upstream's time between chunks")
	flag.IntVar(&o.StreamTokens, "stream-tokens", o.StreamTokens, "tokens (chunks) per streamed answer")
	levels := flag.String("levels", joinInts(o.Levels), "concurrency levels of the non-streamed runs, comma-separated")
	flag.IntVar(&o.Requests, "requests", o.Requests, "non-streamed calls per target and level")
	flag.IntVar(&o.Streams, "streams", o.Streams, "streamed calls per target")
	flag.IntVar(&o.Saturation, "saturation", o.Saturation, "closed-loop clients of the throughput run")
	flag.DurationVar(&o.SaturationFor, "saturation-for", o.SaturationFor, "length of each throughput run")
	flag.IntVar(&o.ColdStarts, "cold-starts", o.ColdStarts, "cold starts per function")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of Tollgate's gateway process during its saturation run to this file")
	flag.Parse()
	if *smoke {
		s := bench.Smoke()
		s.OutDir = o.OutDir
		o = s
	} else {
		var err error
		if o.Levels, err = parseInts(*levels); err != nil {
			fail(err)
		}
	}
	o.CPUProfile = *cpuProfile
	o.Command = "make bench"
	if len(os.Args) > 1 {
		o.Command = "go run ./infra/bench/cmd/tollgate-bench " + strings.Join(os.Args[1:], " ")
	}
	o.Log = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := bench.Run(ctx, o)
	if err != nil {
		fail(err)
	}
	fmt.Printf("wrote %s and %s in %s\n", res.ReportPath, res.ChartPath, res.Took.Round(1e9))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "tollgate-bench:", err)
	os.Exit(1)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-levels: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
