package bench

import (
	"fmt"
	"strings"
	"time"
)

// writeHotPath says where Tollgate's added time and its AWS cost go, from
// this run's figures.
func writeHotPath(b *strings.Builder, r *Results) {
	b.WriteString("## Where Tollgate's time and money go\n\n")
	for _, lv := range r.Latency {
		if lv.Concurrency != 1 {
			continue
		}
		direct := lv.ByTarget[NameDirect].Latencies().P(50)
		client := lv.ByTarget[NameTollgate].Latencies().P(50)
		fmt.Fprintf(b, "- Non-streamed at concurrency 1, Tollgate adds %s ms at p50 (client %s ms, direct %s ms); its handler "+
			"runs %s ms at p50, settlement included.\n", msf(client-direct), msf(client), msf(direct), msf(r.Billed.P(50)))
	}
	for _, op := range r.Warm.Ops {
		if op.Op != "dynamodb:TransactWriteItems" {
			continue
		}
		fmt.Fprintf(b, "- Each call makes %.0f DynamoDB transactions (items per transaction: %s): the reservation, before the "+
			"provider is called, holds the worst-case cost on every budget and counts the call on every rate limit; the "+
			"settlement, after the answer, records the cost, the trace and its daily aggregates. Each took %s ms at p50 "+
			"through the local stack. The client does not wait for settlement, but at concurrency 1 the next call starts "+
			"while it runs, and DynamoDB Local applies one write at a time.\n",
			r.Warm.PerRequest(float64(op.Counted)), ints(op.ItemCounts), msf(op.RoundTrip))
	}
	if c, ok := r.CPUPerCall[NameTollgate]; ok {
		fmt.Fprintf(b, "- The gateway process's own CPU: %.3f ms per call (%.1f KiB and %.0f heap allocations per call).\n",
			float64(c)/float64(time.Millisecond), r.AllocBytes/1024, r.Allocs)
	}
	total := totalCost(r.Cost)
	for _, l := range r.Cost {
		if l.Item == "DynamoDB writes" && total > 0 {
			fmt.Fprintf(b, "- Money: DynamoDB writes are %s of the %s per million requests (%.0f%%): %.0f item writes per call, "+
				"all transactional, so each costs two write units.\n",
				l.PerMillion, total, 100*float64(l.PerMillion)/float64(total), r.Warm.PerRequest(float64(itemsWritten(r.Warm))))
		}
	}
	b.WriteString("\n")
}

// itemsWritten is the number of items a window's calls wrote.
func itemsWritten(c Calls) int {
	n := 0
	for _, op := range c.Ops {
		n += op.Items
	}
	return n
}
