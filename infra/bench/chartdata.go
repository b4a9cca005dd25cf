package bench

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tollgate-dev/tollgate/infra/bench/chart"
)

// writeChart draws the latency distributions: one panel per concurrency
// level, streaming time to first byte and inter-chunk gaps, and throughput
// at saturation.
func writeChart(path string, r *Results) error {
	colors := map[string]int{}
	for i, name := range r.Targets {
		colors[name] = i
	}
	c := chart.Chart{Colors: colors}
	series := func(pick func(string) Dist) []chart.Series {
		var out []chart.Series
		for _, name := range r.Targets {
			out = append(out, chart.Series{Name: name, Samples: pick(name).Samples()})
		}
		return out
	}
	for _, lv := range r.Latency {
		c.Panels = append(c.Panels, chart.Panel{
			Title:  fmt.Sprintf("non-streamed latency, concurrency %d", lv.Concurrency),
			Series: series(func(n string) Dist { return lv.ByTarget[n].Latencies() }),
		})
	}
	c.Panels = append(c.Panels,
		chart.Panel{Title: "streaming: time to first chunk", Series: series(func(n string) Dist { return r.Streaming[n].TTFBs() })},
		chart.Panel{Title: "streaming: inter-chunk gap", Series: series(func(n string) Dist { return r.Streaming[n].Gaps() })},
	)
	b := &chart.Bars{Title: fmt.Sprintf("throughput at saturation (concurrency %d)", r.Options.Saturation), Unit: "requests/s"}
	for _, name := range r.Targets {
		b.Names = append(b.Names, name)
		b.Values = append(b.Values, r.Saturation[name].Throughput())
	}
	c.Bars = b
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	return chart.WritePNG(path, c)
}
