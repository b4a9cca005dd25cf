// Package ingest accepts trace events from applications that call their
// providers directly rather than through the gateway (DESIGN §6), so their
// spend and latency show up in the same traces, aggregates and savings
// reports.
//
// Two formats are served:
//
//	POST /v1/traces            Tollgate's JSON batches: {"events":[…]}
//	POST /v1/otlp/v1/traces    OTLP/HTTP JSON spans with the OpenTelemetry
//	                           GenAI semantic conventions (OpenLLMetry, OpenLIT)
//
// Both need a token with the ingest scope and write only to the token's own
// workspace. Every event is idempotent by its ID: a retried batch writes
// nothing twice. One bad event never sinks a batch; each gets its own result
// with a stable code. Events are metadata only unless an event opts in to
// keeping its prompt and response and the workspace allows it: then the text
// is sealed with the org's data key and redacted after the workspace's
// window. Text is never logged; the access log carries counts.
package ingest
