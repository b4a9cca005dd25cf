// Package gateway is Tollgate's OpenAI-compatible inference endpoint, as an
// http.Handler: POST /v1/chat/completions (streamed and not) and
// GET /v1/models.
//
// Every request takes the same path (README, "Request path"):
//
//	size limit → authenticate → parse and validate → tenant session →
//	workspace snapshot → route → reserve worst case (one DynamoDB round trip)
//	→ provider call with retries and fallback → stream or answer →
//	settle actual cost + write trace (one round trip) → access log
//
// Nothing reaches a provider without a reservation, and any failure to
// reserve refuses the request (fail closed).
package gateway
