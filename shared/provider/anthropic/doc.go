// Package anthropic adapts the Anthropic Messages API (POST /v1/messages,
// anthropic-version 2023-06-01) to Tollgate's canonical, OpenAI-shaped chat
// types, streaming included.
//
// # Requests
//
// System and developer messages, wherever they appear, are hoisted into the
// top-level system prompt (a string for one message, text blocks for
// several). User, assistant and tool turns become alternating user/assistant
// turns of content blocks; consecutive turns of the same role are merged, and
// tool results travel as tool_result blocks in a user turn. Image parts map to
// image blocks (base64 data: URIs inline, http(s) URLs by reference); file
// parts holding a base64 PDF map to document blocks. Message names are not
// sent: Anthropic has no equivalent.
//
// max_tokens is required by Anthropic: the request's output ceiling is sent,
// or DefaultMaxTokens when it sets none. stop becomes stop_sequences, user
// becomes metadata.user_id, tool_choice auto/none/required/named maps to
// auto/none/any/tool, and parallel_tool_calls false sets
// disable_parallel_tool_use. response_format json_schema maps to structured
// outputs (output_config.format).
//
// Refused with an apperr Invalid error, because Anthropic cannot honour them:
// n > 1 (code unsupported_parameter, param "n"), response_format json_object
// (structured outputs need a schema; use json_schema), temperature above 1
// (Anthropic's range is 0 to 1), non-function tools, audio parts, and tool
// call arguments that are not a JSON object.
//
// Ignored, because Anthropic has no equivalent: seed, presence_penalty,
// frequency_penalty, logprobs, metadata, and other pass-through fields.
//
// # Responses and usage
//
// Text blocks are joined into the message content and tool_use blocks become
// tool_calls with their input as JSON arguments; thinking blocks are not
// returned. stop_reason end_turn, stop_sequence and pause_turn map to stop,
// max_tokens to length, tool_use to tool_calls, refusal to content_filter.
//
// Anthropic's input_tokens excludes tokens read from and written to the
// prompt cache, while OpenAI's prompt_tokens includes cached tokens. So
// prompt_tokens is input_tokens + cache_read_input_tokens +
// cache_creation_input_tokens, with cached_tokens (reads) and
// cache_creation_tokens (writes) broken out so they can be priced apart.
//
// # Streams
//
// message_start yields the role chunk; text and input_json_delta deltas yield
// content and tool-call argument chunks (tool calls numbered from 0 in the
// order they start); message_delta yields the finish reason; message_stop
// yields a final usage chunk with no choices, merging message_start's input
// counts with message_delta's cumulative output counts, and then io.EOF. An
// error event becomes a *provider.Error carrying its type and the HTTP status
// Anthropic documents for that type (overloaded_error → 529). Stream returns
// only after the first event, so an error event sent before any content can
// still be failed over.
package anthropic
