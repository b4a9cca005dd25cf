package anthropic

import (
	"encoding/json"
)

// Request is the body of POST /v1/messages, as the Anthropic API reference
// documents it. Only the fields the gateway can fill from a chat completion
// request are modelled.
type Request struct {
	Model         string        `json:"model"`
	MaxTokens     int64         `json:"max_tokens"`
	System        SystemPrompt  `json:"system,omitempty"`
	Messages      []Message     `json:"messages"`
	Tools         []Tool        `json:"tools,omitempty"`
	ToolChoice    *ToolChoice   `json:"tool_choice,omitempty"`
	StopSequences []string      `json:"stop_sequences,omitempty"`
	Temperature   *float64      `json:"temperature,omitempty"`
	TopP          *float64      `json:"top_p,omitempty"`
	Metadata      *Metadata     `json:"metadata,omitempty"`
	OutputConfig  *OutputConfig `json:"output_config,omitempty"`
	Stream        bool          `json:"stream,omitempty"`
}

// SystemPrompt is the top-level system field. Anthropic accepts a string or
// a list of text blocks; a single block is sent as a plain string, the form
// most requests use, and several as blocks so their boundaries survive.
type SystemPrompt []ContentBlock

// MarshalJSON writes one text block as a string and several as an array.
func (s SystemPrompt) MarshalJSON() ([]byte, error) {
	if len(s) == 1 && s[0].Type == "text" {
		return json.Marshal(s[0].Text)
	}
	return json.Marshal([]ContentBlock(s))
}

// Message is one turn. Roles strictly alternate between "user" and "assistant".
type Message struct {
	Role    string         `json:"role"`
	Content []ContentBlock `json:"content"`
}

// ContentBlock is one element of a message's content, in the request or in
// the response. Type selects which of the other fields are meaningful:
// "text" (Text), "image" and "document" (Source), "tool_use" (ID, Name,
// Input), "tool_result" (ToolUseID, Content), "thinking" (Thinking,
// Signature), "redacted_thinking".
type ContentBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	Source    *Source         `json:"source,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   []ContentBlock  `json:"content,omitempty"`
	Thinking  string          `json:"thinking,omitempty"`
	Signature string          `json:"signature,omitempty"`
}

// Source is where an image or document block's bytes come from: inline
// base64 data ("base64") or a URL Anthropic fetches itself ("url").
type Source struct {
	Type      string `json:"type"`
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

// Tool is a client tool the model may call.
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

// ToolChoice says whether and which tool the model must use: "auto", "any",
// "tool" (with Name) or "none".
type ToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

// Metadata identifies the end user to Anthropic for abuse detection.
type Metadata struct {
	UserID string `json:"user_id,omitempty"`
}

// OutputConfig carries structured-output settings.
type OutputConfig struct {
	Format *OutputFormat `json:"format,omitempty"`
}

// OutputFormat constrains the response text to a JSON schema ("json_schema").
type OutputFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema"`
}

// Response is a non-streamed message, also carried by a stream's
// message_start event.
type Response struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	Role         string         `json:"role"`
	Model        string         `json:"model"`
	Content      []ContentBlock `json:"content"`
	StopReason   string         `json:"stop_reason"`
	StopSequence *string        `json:"stop_sequence"`
	Usage        Usage          `json:"usage"`
}

// Usage counts tokens. InputTokens excludes the tokens read from or written
// to the prompt cache, which Anthropic reports separately.
type Usage struct {
	InputTokens              int64 `json:"input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
}

// UsageDelta is the usage of a message_delta event: cumulative counts, where
// an absent field means "unchanged since message_start".
type UsageDelta struct {
	InputTokens              *int64 `json:"input_tokens"`
	OutputTokens             *int64 `json:"output_tokens"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
}

// StreamEvent is the data of one server-sent event. Type names the event
// (message_start, content_block_start, content_block_delta,
// content_block_stop, message_delta, message_stop, ping, error).
type StreamEvent struct {
	Type         string        `json:"type"`
	Message      *Response     `json:"message,omitempty"`
	Index        int           `json:"index"`
	ContentBlock *ContentBlock `json:"content_block,omitempty"`
	Delta        *EventDelta   `json:"delta,omitempty"`
	Usage        *UsageDelta   `json:"usage,omitempty"`
	Error        *ErrorDetail  `json:"error,omitempty"`
}

// EventDelta is the delta of a content_block_delta event (Type text_delta,
// input_json_delta, thinking_delta, signature_delta, citations_delta) or of a
// message_delta event (StopReason, StopSequence).
type EventDelta struct {
	Type         string  `json:"type"`
	Text         string  `json:"text"`
	PartialJSON  string  `json:"partial_json"`
	StopReason   string  `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
}

// ErrorResponse is the body of every non-2xx answer.
type ErrorResponse struct {
	Type      string      `json:"type"` // "error"
	Error     ErrorDetail `json:"error"`
	RequestID string      `json:"request_id,omitempty"`
}

// ErrorDetail names the error class (invalid_request_error, rate_limit_error,
// overloaded_error, …) and describes it.
type ErrorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}
