// Package score holds the scorers an evaluation runs on a candidate model's
// output, so the savings engine can tell whether a cheaper model is good
// enough for a workload before anyone routes traffic to it.
//
// Every scorer implements Scorer and returns a score in [0,1]. The
// deterministic scorers (Exact, Normalized, JSONValid, JSONSchema, Regex)
// need no model call and always give the same score for the same input. The
// Judge asks an LLM, on the tenant's own keys and through whatever Completer
// the caller supplies (the eval worker passes one that goes through the
// budget gate), either for a graded score against a rubric or for a
// position-balanced preference between two outputs (ComparePair).
//
// Scorers never put item text in a Result's Detail or in an error's
// client-safe message: prompts and answers are tenant content, and details
// and errors end up in logs and dashboards. Everything here is immutable
// after construction and safe for concurrent use.
package score
