package bench

import (
	"net/http"
)

// Upstream names one of the loopback upstreams every target reaches.
type Upstream int

// The upstreams: Paced answers non-streamed calls after a set latency,
// Stream streams with a set first-byte delay and chunk cadence, Fast
// answers at once (for throughput at saturation, where the gateway, not
// the upstream, must be the bottleneck).
const (
	Paced Upstream = iota
	Stream
	Fast
	upstreamCount
)

func (u Upstream) String() string {
	switch u {
	case Paced:
		return "paced"
	case Stream:
		return "stream"
	case Fast:
		return "fast"
	}
	return "unknown"
}

// Endpoint is how one target is asked for one upstream: the URL to POST
// chat completions to, the headers to send and the model to name.
type Endpoint struct {
	URL    string
	Header http.Header
	Model  string
}

// Target is one thing measured: the upstream called directly, Tollgate, or
// a peer gateway. Every target reaches the same upstreams.
type Target struct {
	// Name labels the target in tables and the chart.
	Name string
	// Endpoints has one entry per Upstream.
	Endpoints [upstreamCount]Endpoint
	// PIDs lists the target's processes, for its memory; nil when the
	// target has no process of its own (the direct baseline).
	PIDs func() []int
}

// Target names, in the order tables list them.
const (
	NameDirect   = "direct"
	NameTollgate = "tollgate"
	NamePortkey  = "portkey"
	NameNginx    = "nginx"
)
