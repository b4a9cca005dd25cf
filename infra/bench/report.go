package bench

import (
	"fmt"
	"strings"
	"time"
)

// renderReport writes BENCHMARKS.md: every figure of the run, the machine,
// and how to reproduce it. chart is the chart's path relative to the report.
func renderReport(r *Results, chart string) string {
	var b strings.Builder
	o := r.Options
	b.WriteString("# Tollgate benchmarks\n\n")
	if o.Smoke {
		b.WriteString("**Smoke run** (one short iteration of everything, as `make test` runs it): the figures below are not meaningful.\n\n")
	}
	fmt.Fprintf(&b, "Measured on %s (UTC) in %s, all in one invocation on one machine. Reproduce with:\n\n```sh\n%s\n```\n\n",
		r.Started.Format("2006-01-02 15:04"), r.Took.Round(time.Second), o.Command)
	fmt.Fprintf(&b, "![latency distributions](%s)\n\n", chart)
	writeHeadline(&b, r)
	writeHotPath(&b, r)
	writeSetup(&b, r)
	writeLatency(&b, r)
	writeStreaming(&b, r)
	writeSaturation(&b, r)
	writeMemory(&b, r)
	writeCalls(&b, r)
	writeCost(&b, r)
	writeFunctions(&b, r)
	writePeers(&b, r)
	return b.String()
}

func writeHeadline(b *strings.Builder, r *Results) {
	b.WriteString("## Headline\n\n")
	b.WriteString("Added latency is measured from outside: the same client, the same request, the same upstream, " +
		"with and without the gateway in the path; each figure is the difference of the two percentiles.\n\n")
	for _, lv := range r.Latency {
		direct := lv.ByTarget[NameDirect].Latencies().Summarize()
		var parts []string
		for _, name := range r.Targets[1:] {
			add := lv.ByTarget[name].Latencies().Summarize().Minus(direct)
			parts = append(parts, fmt.Sprintf("%s %s ms p50 / %s ms p99", name, signed(add.P50), signed(add.P99)))
		}
		fmt.Fprintf(b, "- Non-streamed, concurrency %d: %s.\n", lv.Concurrency, strings.Join(parts, "; "))
	}
	if d, ok := r.Streaming[NameDirect]; ok {
		var parts []string
		for _, name := range r.Targets[1:] {
			add := r.Streaming[name].TTFBs().Summarize().Minus(d.TTFBs().Summarize())
			gap := r.Streaming[name].Gaps().Summarize().Minus(d.Gaps().Summarize())
			parts = append(parts, fmt.Sprintf("%s %s ms to first chunk (p50), %s ms inter-chunk (p99)", name, signed(add.P50), signed(gap.P99)))
		}
		fmt.Fprintf(b, "- Streaming: %s.\n", strings.Join(parts, "; "))
	}
	var tp []string
	for _, name := range r.Targets {
		tp = append(tp, fmt.Sprintf("%s %.0f", name, r.Saturation[name].Throughput()))
	}
	fmt.Fprintf(b, "- Throughput at saturation (requests/s): %s.", strings.Join(tp, ", "))
	if c := r.CPUPerCall[NameTollgate]; c > 0 {
		alone := float64(r.Machine.Cores) * float64(time.Second) / float64(c)
		fmt.Fprintf(b, " Tollgate's own CPU (%.3f ms per call) would allow %.0f on these cores", float64(c)/float64(time.Millisecond), alone)
		if alone > 2*r.Saturation[NameTollgate].Throughput() {
			b.WriteString(": its figure is bounded by the local stack's DynamoDB, not by the gateway (see below)")
		}
		b.WriteString(".")
	}
	b.WriteString("\n")
	if m, ok := r.Memory[NameTollgate]; ok {
		fmt.Fprintf(b, "- Tollgate's memory per instance: %s resident after warm-up, %s peak under load.\n", mib(m.Warm.RSS), mib(m.Loaded.Peak))
	}
	fmt.Fprintf(b, "- Projected AWS cost: %s per million requests (list prices as of %s; see below).\n", totalCost(r.Cost), PricesAsOf)
	for _, p := range r.Peers {
		if p.Missing != "" {
			fmt.Fprintf(b, "- **Peer %s is missing** from this run: %s\n", p.Name, p.Missing)
		}
	}
	b.WriteString("\n")
}

func writeSetup(b *strings.Builder, r *Results) {
	m, o := r.Machine, r.Options
	b.WriteString("## Machine and setup\n\n")
	table(b, []string{"CPU", "cores", "memory", "kernel", "Go", "Node", "nginx", "Portkey"}, [][]string{{
		m.CPU, fmt.Sprint(m.Cores), fmt.Sprintf("%.1f GiB", m.MemoryGiB), m.Kernel, m.Go, m.Node, m.Nginx, portkeyPackage + " " + portkeyVersion}})
	fmt.Fprintf(b, "- **Upstreams**: Tollgate's mock provider (`shared/provider/mock`) serving OpenAI's wire format on loopback, "+
		"in the harness's process: non-streamed calls answer after %s; streams send their first chunk after %s and then one every %s "+
		"(%d tokens, one chunk each, plus role, finish and usage chunks); a third, unpaced one serves the saturation run. Every "+
		"target reaches the same three upstreams.\n", o.UpstreamLatency, o.StreamFirstByte, o.ChunkInterval, o.StreamTokens)
	b.WriteString("- **Tollgate** runs in its own process (the harness re-executed in the gateway role), built by `gateway.Assemble` " +
		"with the Lambda main's settings and its access log at INFO on stdout, served over plain HTTP: API Gateway and the Lambda " +
		"runtime are not in the measured path. Its AWS calls go to the local stack (DynamoDB Local and moto behind the enforcing " +
		"endpoint, which checks every call against the template's IAM policies). Every budget and rate limit is on, set high " +
		"enough never to refuse: organization, workspace and API-key monthly caps; workspace and API-key requests and tokens per minute. " +
		"Tollgate has no cache-warm passthrough mode: every call passes the gate, so there is no separate figure for one.\n")
	b.WriteString("- **Prerequisites** beyond `make test`'s (Go, Java, Python with moto): Node.js 20+ with npm (`make bench` installs " +
		"the pinned Portkey with `npm ci` from `bench/portkey/package-lock.json` into `.local/bench/portkey`) and Debian's nginx " +
		"(`apt-get install -y nginx`; the bench runs its own instance and never the system service). A full run fails if either is missing.\n")
	fmt.Fprintf(b, "- **Load**: a Go closed-loop generator in the harness, keep-alive connections, no compression; each run is bounded "+
		"by a request count (%d non-streamed per level, %d streams) and a time limit (%s), after a warm-up. Percentiles are nearest-rank. "+
		"Everything shares the machine's %d cores: the local stack, the upstreams and the load generator compete with the gateway under test.\n\n",
		o.Requests, o.Streams, o.MaxDuration, m.Cores)
}

func writeLatency(b *strings.Builder, r *Results) {
	b.WriteString("## Non-streamed latency\n\n")
	fmt.Fprintf(b, "Client-side time from sending the request to having read the whole answer (%d output tokens), in ms. "+
		"Added = percentile through the target − the same percentile direct.\n\n", r.Options.MaxTokens)
	for _, lv := range r.Latency {
		direct := lv.ByTarget[NameDirect].Latencies().Summarize()
		fmt.Fprintf(b, "### Concurrency %d\n\n", lv.Concurrency)
		var rows [][]string
		for _, name := range r.Targets {
			res := lv.ByTarget[name]
			s := res.Latencies().Summarize()
			added := "—"
			if name != NameDirect {
				added = triple(s.Minus(direct))
			}
			rows = append(rows, []string{name, fmt.Sprint(len(res.Samples)), fmt.Sprint(res.Errors), triple(s), added,
				ratio(float64(s.P50), float64(direct.P50))})
		}
		table(b, []string{"target", "ok", "failed", "p50 / p90 / p99", "added p50 / p90 / p99", "p50 vs direct"}, rows)
		writePeerRatio(b, lv.ByTarget[NameTollgate].Latencies().Summarize().Minus(direct), func(peer string) (Summary, bool) {
			res, ok := lv.ByTarget[peer]
			return res.Latencies().Summarize().Minus(direct), ok
		})
		if e := firstError(lv.ByTarget, r.Targets); e != "" {
			fmt.Fprintf(b, "First failure: %s\n\n", e)
		}
	}
}

// writePeerRatio compares Tollgate's added time with each peer's.
func writePeerRatio(b *strings.Builder, tollgate Summary, peer func(string) (Summary, bool)) {
	for _, name := range []string{NamePortkey, NameNginx} {
		p, ok := peer(name)
		if !ok {
			continue
		}
		fmt.Fprintf(b, "Tollgate's added time vs %s's: p50 %s, p99 %s.\n", name,
			ratio(float64(tollgate.P50), float64(p.P50)), ratio(float64(tollgate.P99), float64(p.P99)))
	}
	b.WriteString("\n")
}

// firstError names the first target that had failures, with its first one.
func firstError(by map[string]LoadResult, order []string) string {
	for _, name := range order {
		if res := by[name]; res.Errors > 0 {
			return fmt.Sprintf("%s: %d failed, first: %s", name, res.Errors, res.FirstError)
		}
	}
	return ""
}
