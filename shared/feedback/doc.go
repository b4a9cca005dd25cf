// Package feedback keeps user feedback scores for traces: one number in
// [0, 1] per trace, sent through the gateway (POST /v1/feedback) or trace
// ingestion (POST /v1/traces/feedback, or an event's feedback_score), and
// read back by the savings engine's verification loop and drift job as a
// quality signal (DESIGN §10).
//
// A score is a number only: no comment or other free text is accepted or
// stored (DESIGN §6). Every read and write goes through the org's scoped
// DynamoDB client (DESIGN §3); the layout keeps every key under the org:
//
//	pk     ORG#<org>#FB#<traceID>     sk FB
//	gsi1pk ORG#<org>#FB               gsi1sk <received, fixed-width UTC>#<traceID>
//
// attributes trace_id, workspace, score (N), source, time (RFC 3339) and
// expires_at (DynamoDB TTL, unix seconds). The gsi1 entry lets a reader
// list an org's feedback by time, and lets org export and deletion find
// every feedback partition without a Scan.
//
// Sending feedback again for the same trace replaces it (last write wins),
// so a retried request is harmless. A trace ID belongs to the first
// workspace that sent feedback for it: another workspace of the org sending
// feedback for the same ID is refused (Conflict), never silently
// overwritten.
//
// Feedback expires with its trace's retention when the writer knows it
// (the workspace's retention_days, counted from the score's time), else
// after DefaultRetention. Reads hide expired scores before DynamoDB's TTL
// removes them.
package feedback
