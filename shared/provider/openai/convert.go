package openai

import (
	"encoding/json"
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// requestBody marshals the canonical request for the upstream. The caller's
// request is not modified: only top-level fields of a shallow copy change.
func requestBody(req *chat.Request, stream, forwardMetadata bool) ([]byte, error) {
	r := *req
	r.Stream = stream
	if stream {
		// Always ask for usage: the gateway bills from it, and decides on
		// its own whether the client sees the usage chunk.
		r.StreamOptions = &chat.StreamOptions{IncludeUsage: true}
	} else {
		r.StreamOptions = nil // OpenAI rejects stream_options without stream
	}
	if !forwardMetadata {
		r.Metadata = nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	return b, nil
}

// toResponse converts a decoded completion into the canonical response.
func toResponse(w *response) *chat.Response {
	out := &chat.Response{
		ID:                w.ID,
		Object:            "chat.completion",
		Created:           w.Created,
		Model:             w.Model,
		Choices:           make([]chat.Choice, len(w.Choices)),
		Usage:             reportedUsage(w.Usage, w.XGroq),
		SystemFingerprint: w.SystemFingerprint,
		ServiceTier:       w.ServiceTier,
	}
	for i, c := range w.Choices {
		msg := c.Message
		if msg.Role == "" {
			msg.Role = chat.RoleAssistant
		}
		out.Choices[i] = chat.Choice{
			Index:        c.Index,
			Message:      msg,
			FinishReason: finishReason(c.FinishReason),
			Logprobs:     nonNull(c.Logprobs),
		}
	}
	return out
}

// reportedUsage returns the standard usage, or Groq's when only that is set.
func reportedUsage(u *usage, g *xGroq) *chat.Usage {
	if u == nil && g != nil {
		u = g.Usage
	}
	if u == nil {
		return nil
	}
	out := &chat.Usage{
		PromptTokens:     u.PromptTokens,
		CompletionTokens: u.CompletionTokens,
		TotalTokens:      u.TotalTokens,
	}
	if out.TotalTokens == 0 {
		out.TotalTokens = out.PromptTokens + out.CompletionTokens
	}
	cached := u.PromptCacheHitTokens
	var audioIn int64
	if d := u.PromptTokensDetails; d != nil {
		if d.CachedTokens > 0 {
			cached = d.CachedTokens
		}
		audioIn = d.AudioTokens
	}
	if cached > 0 || audioIn > 0 {
		out.PromptTokensDetails = &chat.PromptTokensDetails{CachedTokens: cached, AudioTokens: audioIn}
	}
	if d := u.CompletionTokensDetails; d != nil && (d.ReasoningTokens > 0 || d.AudioTokens > 0) {
		out.CompletionTokensDetails = &chat.CompletionTokensDetails{ReasoningTokens: d.ReasoningTokens, AudioTokens: d.AudioTokens}
	}
	return out
}

// finishReason maps the reasons compatible servers use onto OpenAI's four.
// Anything unknown becomes "stop": clients only understand those four, and an
// unknown reason is a completed turn rather than a truncated one.
func finishReason(r string) string {
	switch r {
	case "":
		return ""
	case chat.FinishLength, "max_tokens", "model_length":
		return chat.FinishLength
	case chat.FinishToolCalls, "function_call", "tool_use":
		return chat.FinishToolCalls
	case chat.FinishContentFilter:
		return chat.FinishContentFilter
	}
	return chat.FinishStop
}

// nonNull drops an explicit JSON null so it is not echoed as a value.
func nonNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return b
}

// codeString renders an error code sent as a string or a number.
func codeString(b json.RawMessage) string {
	if len(b) == 0 || string(b) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return s
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		return n.String()
	}
	return ""
}
