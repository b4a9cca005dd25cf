package bench

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

func writeStreaming(b *strings.Builder, r *Results) {
	b.WriteString("## Streaming\n\n")
	fmt.Fprintf(b, "%d streamed calls per target, %d at a time. Time to first chunk is from sending the request to the first SSE data "+
		"event; inter-chunk gaps are between consecutive data events as the client receives them (the upstream sends one every %s). In ms.\n\n",
		r.Options.Streams, r.Options.StreamConcurrency, r.Options.ChunkInterval)
	d := r.Streaming[NameDirect]
	dt, dg := d.TTFBs().Summarize(), d.Gaps().Summarize()
	var rows [][]string
	for _, name := range r.Targets {
		res := r.Streaming[name]
		t, g := res.TTFBs().Summarize(), res.Gaps().Summarize()
		addT, addG := "—", "—"
		if name != NameDirect {
			addT, addG = triple(t.Minus(dt)), triple(g.Minus(dg))
		}
		rows = append(rows, []string{name, fmt.Sprint(len(res.Samples)), fmt.Sprint(res.Errors), triple(t), addT, triple(g), addG})
	}
	table(b, []string{"target", "ok", "failed", "first chunk p50 / p90 / p99", "added", "gap p50 / p90 / p99", "added"}, rows)
	tg := r.Streaming[NameTollgate]
	writePeerRatio(b, tg.TTFBs().Summarize().Minus(dt), func(peer string) (Summary, bool) {
		res, ok := r.Streaming[peer]
		return res.TTFBs().Summarize().Minus(dt), ok
	})
	if e := firstError(r.Streaming, r.Targets); e != "" {
		fmt.Fprintf(b, "First failure: %s\n\n", e)
	}
}

func writeSaturation(b *strings.Builder, r *Results) {
	b.WriteString("## Throughput at saturation\n\n")
	fmt.Fprintf(b, "%d closed-loop clients for %s against the unpaced upstream (on %d cores shared with the load generator, "+
		"the upstream and, for Tollgate, the local stack). CPU per call is the user and system time of the target's own "+
		"processes (from /proc) over the run, divided by its calls; cores ÷ CPU per call is the rate at which the target "+
		"alone would fill this machine.\n\n", r.Options.Saturation, r.Options.SaturationFor, r.Machine.Cores)
	direct := r.Saturation[NameDirect].Throughput()
	row := func(name string, res LoadResult) []string {
		cpu, ceiling, busy := "—", "—", fmt.Sprintf("%.0f%%", 100*r.MachineBusy[name])
		if c, ok := r.CPUPerCall[name]; ok && c > 0 {
			cpu = fmt.Sprintf("%.3f", float64(c)/float64(time.Millisecond))
			ceiling = fmt.Sprintf("%.0f", float64(r.Machine.Cores)*float64(time.Second)/float64(c))
		}
		return []string{name, fmt.Sprintf("%.0f", res.Throughput()), fmt.Sprint(res.Errors), ratio(res.Throughput(), direct),
			triple(res.Latencies().Summarize()), busy, cpu, ceiling}
	}
	var rows [][]string
	for _, name := range r.Targets {
		rows = append(rows, row(name, r.Saturation[name]))
	}
	spread := r.SaturationSpread
	if len(spread.Samples) > 0 {
		rows = append(rows, row(spreadName, spread))
	}
	table(b, []string{"target", "requests/s", "failed", "vs direct", "latency p50 / p90 / p99 (ms)", "machine CPU busy", "CPU per call (ms)", "cores ÷ CPU per call"}, rows)
	if len(spread.Samples) > 0 {
		one := r.Saturation[NameTollgate].Throughput()
		own := float64(r.CPUPerCall[NameTollgate]) / float64(time.Second) * one / float64(max(r.Machine.Cores, 1))
		fmt.Fprintf(b, "Every Tollgate call makes two DynamoDB transactions (reserve before the provider, settle after). In its run "+
			"the machine was %.0f%% busy, of which Tollgate's own process used %.0f%% (CPU per call × rate ÷ cores); the rest went "+
			"to the local stack (DynamoDB Local, moto, the enforcing endpoint), the upstream and the load generator. Spreading "+
			"the same load over %d orgs, each with its own budget and rate counters, gives %.0f requests/s against %.0f for one "+
			"org (%s): the bound is the local stack (DynamoDB Local keeps its tables in SQLite, which admits one writer at a "+
			"time), not one org's counters and not the gateway. In AWS, transactions on different items proceed in "+
			"parallel, and concurrent transactions on one org's counters conflict instead of queueing (DESIGN §5: allotments).\n\n",
			100*r.MachineBusy[NameTollgate], 100*own, spreadOrgs, spread.Throughput(), one, ratio(spread.Throughput(), one))
	}
	if e := firstError(r.Saturation, r.Targets); e != "" {
		fmt.Fprintf(b, "First failure: %s\n\n", e)
	}
}

func writeMemory(b *strings.Builder, r *Results) {
	b.WriteString("## Memory per instance\n\n")
	b.WriteString("Resident set size of the target's processes from `/proc/<pid>/status` (VmRSS; peak is VmHWM), summed over " +
		"its processes (nginx: master and workers). Tollgate's is its gateway process alone: the local stack stands for AWS.\n\n")
	var rows [][]string
	for _, name := range r.Targets {
		m, ok := r.Memory[name]
		if !ok {
			continue
		}
		rows = append(rows, []string{name, fmt.Sprint(m.Loaded.Processes), mib(m.Warm.RSS), mib(m.Loaded.RSS), mib(m.Loaded.Peak)})
	}
	table(b, []string{"target", "processes", "RSS after warm-up", "RSS after all load", "peak RSS"}, rows)
	if r.Allocs > 0 {
		fmt.Fprintf(b, "Tollgate's Go heap allocations per non-streamed call at concurrency 1 (runtime MemStats of its process, "+
			"HTTP server and AWS SDK included): %.0f allocations, %.1f KiB.\n\n", r.Allocs, r.AllocBytes/1024)
	}
}

func writeCalls(b *strings.Builder, r *Results) {
	b.WriteString("## AWS calls per request\n\n")
	b.WriteString("Counted by the local stack's enforcing endpoint on a fresh gateway process, one call at a time; a meter between " +
		"the gateway and the endpoint reads each DynamoDB call's items to count request units as DynamoDB bills them " +
		"(a started KiB per item written, twice in a transaction; a started 4 KiB per read, half when eventually consistent). " +
		"Round trips are through the local stack, not AWS.\n\n")
	for _, w := range []struct {
		title string
		c     Calls
	}{
		{"First call of a new instance", r.FirstCall},
		{fmt.Sprintf("Warm, non-streamed (%d calls)", r.Warm.Requests), r.Warm},
		{fmt.Sprintf("Warm, streamed (%d calls)", r.Streamed.Requests), r.Streamed},
	} {
		fmt.Fprintf(b, "### %s\n\n", w.title)
		var rows [][]string
		for _, op := range w.c.Ops {
			shapes := "—"
			if len(op.ItemCounts) > 0 {
				shapes = ints(op.ItemCounts)
			}
			rows = append(rows, []string{op.Op, fmt.Sprintf("%.2f", w.c.PerRequest(float64(op.Counted))), shapes,
				fmt.Sprintf("%.2f", w.c.PerRequest(float64(op.Items))), fmt.Sprintf("%.2f", w.c.PerRequest(op.WriteUnits)),
				fmt.Sprintf("%.2f", w.c.PerRequest(op.ReadUnits)), fmt.Sprint(op.Failed), msf(op.RoundTrip)})
		}
		table(b, []string{"operation", "calls per request", "items per call", "items written per request", "WRU", "RRU", "failed", "round trip p50 (ms)"}, rows)
		if len(w.c.ItemsByKind) > 0 {
			var kinds []string
			for _, k := range slices.Sorted(maps.Keys(w.c.ItemsByKind)) {
				kinds = append(kinds, fmt.Sprintf("%s %.2f", k, w.c.PerRequest(float64(w.c.ItemsByKind[k]))))
			}
			fmt.Fprintf(b, "Items written per request, by the kind of item their key names: %s.\n\n", strings.Join(kinds, ", "))
		}
		fmt.Fprintf(b, "Per request: DynamoDB %.2f calls (%.2f WRU, %.2f RRU), KMS %.2f, STS %.2f.", w.c.PerRequest(float64(w.c.ServiceCalls("dynamodb"))),
			w.c.PerRequest(w.c.WriteUnits), w.c.PerRequest(w.c.ReadUnits),
			w.c.PerRequest(float64(w.c.ServiceCalls("kms"))), w.c.PerRequest(float64(w.c.ServiceCalls("sts"))))
		if w.c.AssumedSizes > 0 {
			fmt.Fprintf(b, " %d item writes had no readable size and count as one unit each.", w.c.AssumedSizes)
		}
		b.WriteString("\n\n")
	}
}

func writeCost(b *strings.Builder, r *Results) {
	b.WriteString("## Projected AWS cost per million requests\n\n")
	fmt.Fprintf(b, "**Prices: AWS public list prices for us-east-1 (on-demand, no free tier), as of %s.** They are list prices, "+
		"not a quote: check them before relying on the figure. Quantities are this run's warm non-streamed calls; the gateway "+
		"function has %d MB (template.yaml). Lambda bills the invocation's wall time, so its duration line includes the "+
		"upstream's %s; handler time p50 / p90 / p99: %s ms.\n\n",
		PricesAsOf, r.MemoryMB, r.Options.UpstreamLatency, triple(r.Billed.Summarize()))
	var rows [][]string
	for _, l := range r.Cost {
		rows = append(rows, []string{l.Item, l.Basis, l.PerMillion.String()})
	}
	rows = append(rows, []string{"**Total**", fmt.Sprintf("prices as of %s (list prices)", PricesAsOf), "**" + totalCost(r.Cost).String() + "**"})
	table(b, []string{"item", "basis", "per million requests"}, rows)
	fmt.Fprintf(b, "Every second a call waits on the model adds %s per million requests at %d MB (Lambda duration); "+
		"a real provider's seconds dwarf the gateway's own milliseconds.\n\n", modelSecondCost(r.MemoryMB), r.MemoryMB)
	if len(r.Cost) > 0 {
		top := slices.MaxFunc(r.Cost, func(a, b CostLine) int { return int(a.PerMillion - b.PerMillion) })
		fmt.Fprintf(b, "Largest line: %s, %s of %s.\n\n", top.Item, top.PerMillion, totalCost(r.Cost))
	}
}

func writeFunctions(b *strings.Builder, r *Results) {
	b.WriteString("## Lambda functions\n\n")
	b.WriteString("Bootstrap size as `make build` builds it (linux/arm64, `-tags lambda.norpc -trimpath -buildvcs=false " +
		"-ldflags='-s -w -buildid='`). Cold start: the same build for this machine, started with its template environment " +
		"and role against a loopback Lambda Runtime API, timed from process start to its first poll for an event.\n\n")
	var rows [][]string
	for _, f := range r.Functions {
		d := NewDist(f.Inits)
		size := "not built (smoke run)"
		if f.Size > 0 {
			size = mib(f.Size)
		}
		rows = append(rows, []string{f.Name, size, mib(f.HostSize), fmt.Sprint(d.N()), msf(d.P(50)),
			msf(minDur(d)), msf(d.P(100))})
	}
	table(b, []string{"function", "bootstrap (linux/arm64)", "host build", "cold starts", "init p50 (ms)", "min", "max"}, rows)
}

func minDur(d Dist) time.Duration {
	if d.N() == 0 {
		return 0
	}
	return d.Samples()[0]
}

func writePeers(b *strings.Builder, r *Results) {
	b.WriteString("## Peers\n\n")
	for _, p := range r.Peers {
		if p.Missing != "" {
			fmt.Fprintf(b, "- **%s: missing** — %s\n", p.Name, p.Missing)
			continue
		}
		fmt.Fprintf(b, "- **%s** %s: %s\n", p.Name, p.Version, strings.Join(p.Notes, " "))
	}
	b.WriteString("\n")
}
