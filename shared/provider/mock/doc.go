// Package mock is Tollgate's built-in provider: a deterministic stand-in for
// an LLM, used by `make run` so the first request works offline, by tests,
// and by benchmarks. The local stack always enables it; an AWS deployment
// does not unless the operator turns it on.
//
// The same request always gets the same answer. The text is derived from a
// hash of the model name and the messages; usage is computed from the text
// by fixed rules (see PromptTokens and Pieces), so a streamed and a
// non-streamed call report identical usage, and a request's output ceiling
// is never exceeded: the answer is cut to fit and finishes with "length".
//
// Model names choose behaviour, so evaluations can tell models apart. Each
// model has a Quality, the probability that its answer equals Correct(msgs):
// the text after the last "Answer:" marker of the last user message when
// there is one, otherwise a fixed sentence derived from the messages. Built
// in:
//
//	mock-large   Quality 0.95
//	mock-medium  Quality 0.94
//	mock-small   Quality 0.80
//	mock-tiny    Quality 0.50
//
// Any other model name answers correctly every time.
//
// Correctness uses common random numbers: each request (and choice index)
// has a difficulty, a uniform draw in [0,1) seeded by the messages alone,
// and a model is right exactly when the difficulty is below its Quality.
// Models' mistakes therefore nest like real ones: a request mock-large
// misses is missed by mock-medium, mock-small and mock-tiny too, and models
// of equal Quality are right and wrong on the same requests, so a paired
// comparison sees realistic, positively correlated scores. The wrong answer
// a model gives is drawn from a seed of the model and the request, so
// models err differently. Both draws are deterministic.
//
// Judge requests: a request whose system message starts with "You are an
// impartial evaluator" and whose user message is framed as shared/score's
// LLM judge frames it (<conversation>, optional <reference>, one or two
// <response> blocks) gets a verdict instead, one compact JSON object such as
// {"score":1,"reason":"the response matches the reference answer"}, so an
// evaluation with a judge scorer completes offline with realistic grades.
// Each response is graded against the expected answer, the <reference> when
// there is one, else Correct of the conversation rebuilt from its "[role]"
// lines: 1 when equal ignoring case and whitespace, a varied grade in
// [0, 0.4] when not, and a varied grade in [0.5, 1] when there is nothing to
// compare with. The grade is seeded by the judge model, the item and the
// response, so a response gets the same grade in every mode and position.
// In pairwise mode the score is 0.5 + (grade 1 - grade 2)/2 plus a
// first-position bias of 0.05, which the judge's both-orders averaging
// cancels. With probability 1 - Quality the judge model then perturbs its
// score by up to ±0.3 (clamped to [0,1]), so weaker judges are noisier.
// Scores have two decimals; the reason never quotes item or response text.
// A verdict is an answer like any other for usage, the output ceiling and
// streaming; a request that merely opens like a judge's is answered as usual.
//
// Tool calls: when the request offers tools and the last user message
// contains "call <name>" for one of them, the answer is a call of that tool
// with arguments "{}" and finish reason "tool_calls" (unless tool_choice is
// "none").
//
// Mock implements provider.Provider in memory, without HTTP. Handler serves
// the same behaviour as an OpenAI-compatible upstream (POST
// /v1/chat/completions, Azure's POST /openai/deployments/{name}/chat/completions,
// GET /v1/models), so the openai adapter, benchmarks and peer gateways can be
// pointed at it on loopback. Options add latency (FirstByteDelay, ChunkDelay)
// and faults (FailWith, FailMidStream, DropMidStream) per model.
//
// Regressions change while the mock runs, for end-to-end tests of
// verification and drift: per model an error percent (that share of
// requests, chosen by a draw seeded by the request, fails with HTTP 500
// before any output), an extra first-byte latency and a quality drop
// (subtracted from Quality, floored at 0). Both Mock and Handler honour
// them.
package mock
