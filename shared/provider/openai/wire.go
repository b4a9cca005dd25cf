package openai

import (
	"bytes"
	"encoding/json"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// The request body is chat.Request itself (see convert.go); these are the
// shapes read back, wider than chat's so that compatible servers' variants
// decode in one pass.

// response is a non-streamed completion as OpenAI and compatible servers send it.
type response struct {
	ID                string      `json:"id"`
	Created           int64       `json:"created"`
	Model             string      `json:"model"`
	Choices           []choice    `json:"choices"`
	Usage             *usage      `json:"usage"`
	SystemFingerprint string      `json:"system_fingerprint"`
	ServiceTier       string      `json:"service_tier"`
	XGroq             *xGroq      `json:"x_groq"`
	Error             *errorField `json:"error"` // some servers answer 200 with an error body
	flatError
}

// choice is one completion of a non-streamed response.
type choice struct {
	Index        int             `json:"index"`
	Message      chat.Message    `json:"message"`
	FinishReason string          `json:"finish_reason"`
	Logprobs     json.RawMessage `json:"logprobs"`
}

// chunk is one streamed "chat.completion.chunk" event, or an error event.
type chunk struct {
	ID                string             `json:"id"`
	Created           int64              `json:"created"`
	Model             string             `json:"model"`
	Choices           []chat.ChunkChoice `json:"choices"`
	Usage             *usage             `json:"usage"`
	SystemFingerprint string             `json:"system_fingerprint"`
	XGroq             *xGroq             `json:"x_groq"`
	Error             *errorField        `json:"error"`
	flatError
}

// usage is OpenAI's usage object plus DeepSeek's cache-hit count, which
// DeepSeek reports instead of prompt_tokens_details.
type usage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	TotalTokens         int64 `json:"total_tokens"`
	PromptTokensDetails *struct {
		CachedTokens int64 `json:"cached_tokens"`
		AudioTokens  int64 `json:"audio_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails *struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
		AudioTokens     int64 `json:"audio_tokens"`
	} `json:"completion_tokens_details"`
	PromptCacheHitTokens int64 `json:"prompt_cache_hit_tokens"`
}

// xGroq is Groq's extension object; its usage duplicates or replaces the
// standard one on the final chunk.
type xGroq struct {
	Usage *usage `json:"usage"`
}

// errorBody is the error envelope {"error":{"message","type","param","code"}},
// or vLLM's flat {"object":"error","message","type","code"}.
type errorBody struct {
	Error *errorField `json:"error"`
	flatError
}

// flatError is vLLM's error shape, embedded where it can appear. Its Object
// also receives a success body's "object", which the adapter rewrites anyway.
type flatError struct {
	Object  string          `json:"object"`
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`
}

// errorDetail is the body of "error". Code is a string for OpenAI, a number
// for some compatible servers, often null.
type errorDetail struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Param   json.RawMessage `json:"param"`
	Code    json.RawMessage `json:"code"`
}

// errorField is "error" as an object or, from some proxies, a bare string.
type errorField struct {
	errorDetail
}

// UnmarshalJSON accepts an object, a string or null.
func (e *errorField) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &e.Message)
	}
	return json.Unmarshal(b, &e.errorDetail)
}

// detail returns the error the body carries, or nil when it carries none.
func (f *flatError) detail() *errorDetail {
	if f.Object != "error" {
		return nil
	}
	return &errorDetail{Message: f.Message, Type: f.Type, Code: f.Code}
}

// detailOf picks the nested or the flat error, whichever is present.
func detailOf(nested *errorField, flat *flatError) *errorDetail {
	if nested != nil {
		return &nested.errorDetail
	}
	return flat.detail()
}
