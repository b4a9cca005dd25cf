package enforcer

import (
	"encoding/json"
	"maps"
	"net/http"
	"sync"
)

// Stats counts the requests the enforcer has seen since it started or was
// last reset. Benchmarks read it (GET /_enforcer/stats) to count AWS calls
// per gateway request; tests read it to prove a refusal was the enforcer's.
type Stats struct {
	// Requests is every AWS request received.
	Requests int64 `json:"requests"`
	// Allowed were authorized and forwarded.
	Allowed int64 `json:"allowed"`
	// Denied were refused by policy (AccessDenied).
	Denied int64 `json:"denied"`
	// Rejected were refused before policy: unknown key, bad signature,
	// expired session, malformed request.
	Rejected int64 `json:"rejected"`
	// UpstreamErrors were allowed but the emulator could not be reached.
	UpstreamErrors int64 `json:"upstream_errors"`
	// Services counts by signing service ("dynamodb", "kms", "sqs", "sts").
	Services map[string]Count `json:"services"`
	// Operations counts by "<service>:<Operation>", e.g. "dynamodb:GetItem".
	Operations map[string]Count `json:"operations"`
}

// Count is the tally for one service or operation.
type Count struct {
	Requests int64 `json:"requests"`
	Allowed  int64 `json:"allowed"`
	Denied   int64 `json:"denied"`
	Rejected int64 `json:"rejected"`
}

type outcome uint8

const (
	outcomeAllowed outcome = iota
	outcomeDenied
	outcomeRejected
	outcomeUpstreamError
)

// statsCounter is the locked tally behind Stats.
type statsCounter struct {
	mu sync.Mutex
	s  Stats
}

func newStatsCounter() *statsCounter {
	c := &statsCounter{}
	c.reset()
	return c
}

func (c *statsCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = Stats{Services: map[string]Count{}, Operations: map[string]Count{}}
}

func (c *statsCounter) record(service, op string, o outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if service == "" {
		service = "unknown"
	}
	key := service + ":" + op
	if op == "" {
		key = service + ":unknown"
	}
	svc, opc := c.s.Services[service], c.s.Operations[key]
	if o == outcomeUpstreamError {
		c.s.UpstreamErrors++
		return // already counted as allowed
	}
	c.s.Requests++
	svc.Requests++
	opc.Requests++
	switch o {
	case outcomeAllowed:
		c.s.Allowed++
		svc.Allowed++
		opc.Allowed++
	case outcomeDenied:
		c.s.Denied++
		svc.Denied++
		opc.Denied++
	case outcomeRejected:
		c.s.Rejected++
		svc.Rejected++
		opc.Rejected++
	}
	c.s.Services[service], c.s.Operations[key] = svc, opc
}

func (c *statsCounter) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	s.Services = maps.Clone(c.s.Services)
	s.Operations = maps.Clone(c.s.Operations)
	return s
}

// Stats returns a snapshot of the counters.
func (e *Enforcer) Stats() Stats { return e.stats.snapshot() }

// ResetStats zeroes the counters (also DELETE /_enforcer/stats).
func (e *Enforcer) ResetStats() { e.stats.reset() }

// serveAdmin answers the enforcer's own endpoints:
//
//	GET    /_enforcer/stats   the counters as JSON
//	DELETE /_enforcer/stats   reset them (POST /_enforcer/stats/reset too)
func (e *Enforcer) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_enforcer/stats" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(e.Stats())
	case (r.URL.Path == "/_enforcer/stats" && r.Method == http.MethodDelete) ||
		(r.URL.Path == "/_enforcer/stats/reset" && r.Method == http.MethodPost):
		e.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
