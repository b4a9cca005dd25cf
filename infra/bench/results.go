package bench

import "time"

// Results is everything one run measured, in the shape the report and
// the chart read.
type Results struct {
	Options Options
	Started time.Time
	Took    time.Duration
	Machine Machine
	// Targets lists the measured targets in table order.
	Targets []string
	// Peers says how each peer ran, or why it did not.
	Peers []Peer

	// Latency has one entry per concurrency level (non-streamed calls to
	// the paced upstream).
	Latency []Level
	// Streaming, Saturation and Memory are keyed by target name.
	Streaming  map[string]LoadResult
	Saturation map[string]LoadResult
	Memory     map[string]MemoryUse
	// CPUPerCall is the CPU time a target's processes used per call in
	// its saturation run.
	CPUPerCall map[string]time.Duration
	// SaturationSpread is Tollgate's saturation run spread over several
	// orgs, each with its own counters.
	SaturationSpread LoadResult
	// MachineBusy is the share of the machine's CPU busy during each
	// saturation run, by target name (spreadName for the spread run).
	MachineBusy map[string]float64

	// Billed is Tollgate's handler time per non-streamed call at
	// concurrency 1 (what Lambda bills); LogBytes its log volume per call.
	Billed   Dist
	LogBytes float64
	// Allocs and AllocBytes are the gateway process's heap allocations per
	// non-streamed call (Go runtime MemStats, whole process: HTTP server,
	// gateway, AWS SDK), over the same calls.
	Allocs, AllocBytes float64
	// FirstCall, Warm and Streamed are the AWS calls of a new instance's
	// first call, of warm non-streamed calls, and of warm streamed calls.
	FirstCall, Warm, Streamed Calls
	// MemoryMB is the gateway function's memory in template.yaml.
	MemoryMB int
	Cost     []CostLine

	Functions []Function

	// ReportPath and ChartPath are where the results were written.
	ReportPath, ChartPath string
}

// Level is one concurrency level's non-streamed runs, by target.
type Level struct {
	Concurrency int
	ByTarget    map[string]LoadResult
}

// MemoryUse is a target's memory after warm-up and after all the load.
type MemoryUse struct {
	Warm, Loaded Memory
}
