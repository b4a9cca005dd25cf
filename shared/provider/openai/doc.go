// Package openai is the adapter for OpenAI's Chat Completions API and every
// upstream that speaks it: Groq, Together, Mistral, DeepSeek, vLLM, Ollama and
// Azure OpenAI.
//
// Tollgate's canonical request is OpenAI's own, so conversion is mostly a
// faithful re-marshal of chat.Request (fields Tollgate does not model travel in
// Extra). Three things change on the way out:
//
//   - Streams always ask for usage (stream_options.include_usage), because the
//     gateway bills from it; whether the client sees the usage chunk is the
//     gateway's decision, not the adapter's.
//   - Non-streamed calls drop stream_options, which OpenAI rejects without
//     stream.
//   - metadata is Tollgate's caller-tag field and is stripped unless the call's
//     context says to forward it (WithMetadata); OpenAI accepts metadata only
//     together with store.
//
// Responses and streams are read defensively, because compatible servers
// differ: usage may arrive on its own chunk (OpenAI), on the last content
// chunk (vLLM, Ollama) or under x_groq (Groq); Azure opens a stream with a
// choice-less content-filter chunk; errors come as {"error":{…}} or vLLM's flat
// {"object":"error",…}, in a body or as a stream event.
package openai
