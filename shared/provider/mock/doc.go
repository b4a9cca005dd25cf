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
// there is one, otherwise a fixed sentence derived from the messages. The
// draw is seeded by the request hash, so it too is deterministic. Built in:
//
//	mock-large  Quality 0.95
//	mock-small  Quality 0.80
//	mock-tiny   Quality 0.50
//
// Any other model name answers correctly every time.
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
package mock
