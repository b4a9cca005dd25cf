// Package bench is the harness behind `make bench` (DESIGN §8): in one run it
// starts the local AWS stack, loopback OpenAI-compatible upstreams with set
// latency and chunk cadence, Tollgate's gateway with budgets and rate limits
// on, and the peer gateways (Portkey from npm, nginx as the zero-logic proxy
// floor), then measures every one of them from outside with the same load
// generator against the same upstreams.
//
// It reports added latency over the direct upstream call at several
// concurrency levels, streaming time to first byte and inter-chunk delay,
// throughput at saturation, memory per instance, AWS calls and capacity units
// per request with a projected cost per million requests, and each Lambda
// function's bootstrap size and cold-start init time. Results go to
// BENCHMARKS.md and a latency chart.
//
// Tollgate runs in its own process (this program re-executed in the gateway
// role, see ServeChild), so its memory is its own and the load generator
// does not share its Go runtime. A missing peer fails a full run; the smoke
// run (one short iteration of everything, for `make test`) reports it as
// missing instead.
package bench
