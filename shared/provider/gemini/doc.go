// Package gemini adapts the Google Gemini API (Generative Language API
// v1beta) to Tollgate's canonical chat types.
//
// Calls go to POST <base>/v1beta/models/<model>:generateContent, and for
// streams to :streamGenerateContent?alt=sse, with the key in the
// x-goog-api-key header only (never the key= query parameter, which would put
// it in URLs and logs).
//
// Request mapping: system and developer messages become systemInstruction;
// user and assistant turns become "user" and "model" contents; images are
// sent inline from data: URIs or by reference (fileData) from http(s) URLs
// whose extension names the type; tools become functionDeclarations with
// their JSON Schema in parametersJsonSchema, tool_choice becomes
// toolConfig.functionCallingConfig, and tool results become functionResponse
// parts named after the call they answer. response_format json_object and
// json_schema become responseMimeType application/json, the latter with
// responseJsonSchema. Both *JsonSchema fields take standard JSON Schema as
// OpenAI clients write it, where the older parameters and responseSchema
// fields take an OpenAPI subset that refuses keywords such as
// additionalProperties.
//
// Response mapping: text parts are joined (thought summaries dropped),
// function calls become tool calls named call_<n>, since the API does not
// name them. thoughtsTokenCount is billed as output, so it is added to
// completion_tokens and reported as reasoning_tokens; cachedContentTokenCount
// becomes cached_tokens. A prompt blocked by promptFeedback becomes a choice
// finished by content_filter.
//
// Streams have no end marker: see stream for how a complete stream is told
// from a dropped one.
//
// Gemini 3 models return thought signatures on function calls and require
// them back on the next turn. The canonical tool call has no field to carry
// one, so replayed calls carry the documented skip_thought_signature_validator
// value instead: the call is accepted, though the model does not get its
// earlier reasoning back.
package gemini
