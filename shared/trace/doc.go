// Package trace is the record of one model call (DESIGN §6): metadata only
// — who, which route, tokens, cost, latency, status, caller tags — unless the
// call opted in to keeping its content and its workspace allows it, and then
// the content is sealed by package secrets and redacted after a window.
//
// Traces are time-ordered per org and spread over shards so one busy tenant
// does not make a hot partition:
//
//	ORG#<org>#TR#<YYYYMMDD>#<shard>   <RFC3339Nano time>#<trace ID>
package trace
