package gemini

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// fromWire converts a generateContent response. A prompt blocked before any
// candidate was made becomes one empty choice finished by content_filter,
// which is how OpenAI reports a filtered completion.
func fromWire(w *generateContentResponse, id, model string, created int64) *chat.Response {
	resp := &chat.Response{ID: id, Object: "chat.completion", Created: created, Model: model}
	if w.ModelVersion != "" {
		resp.Model = w.ModelVersion
	}
	calls := 0
	for _, c := range sortedCandidates(w.Candidates) {
		text, toolCalls := candidateParts(c.Content, &calls, false)
		msg := chat.Message{Role: chat.RoleAssistant, Content: chat.TextContent(text), ToolCalls: toolCalls}
		if text == "" && len(toolCalls) > 0 {
			msg.Content = chat.Content{IsNull: true}
		}
		resp.Choices = append(resp.Choices, chat.Choice{
			Index:        *c.Index,
			Message:      msg,
			FinishReason: finishReason(c.FinishReason, len(toolCalls) > 0),
		})
	}
	if len(resp.Choices) == 0 && blocked(w) {
		resp.Choices = []chat.Choice{{
			Message:      chat.Message{Role: chat.RoleAssistant, Content: chat.Content{IsNull: true}},
			FinishReason: chat.FinishContentFilter,
		}}
	}
	if w.UsageMetadata != nil {
		resp.Usage = usage(w.UsageMetadata)
	}
	return resp
}

// sortedCandidates orders candidates by index, which the API may omit for
// the first one.
func sortedCandidates(cs []candidate) []candidate {
	out := make([]candidate, len(cs))
	copy(out, cs)
	for i := range out {
		if out[i].Index == nil {
			n := i
			out[i].Index = &n
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return *out[a].Index < *out[b].Index })
	return out
}

// candidateIndex is c's index, or its position when the API omitted it.
func candidateIndex(c candidate, pos int) int {
	if c.Index != nil {
		return *c.Index
	}
	return pos
}

// candidateParts joins a candidate's text and turns its function calls into
// tool calls. Gemini does not name its calls, so each gets call_<n>, n
// counting across the whole response (or stream) so ids never repeat.
// Thought-summary parts are reasoning, not answer text, and are dropped.
// With indexed set, each call carries its position, as stream deltas do.
func candidateParts(c *content, next *int, indexed bool) (string, []chat.ToolCall) {
	if c == nil {
		return "", nil
	}
	var text strings.Builder
	var calls []chat.ToolCall
	for _, p := range c.Parts {
		switch {
		case p.Thought:
		case p.FunctionCall != nil:
			args := compactArgs(p.FunctionCall.Args)
			tc := chat.ToolCall{
				ID:       "call_" + strconv.Itoa(*next),
				Type:     "function",
				Function: chat.FunctionCall{Name: p.FunctionCall.Name, Arguments: args},
			}
			if indexed {
				n := len(calls)
				tc.Index = &n
			}
			*next++
			calls = append(calls, tc)
		default:
			text.WriteString(p.Text)
		}
	}
	return text.String(), calls
}

// compactArgs renders function arguments as compact JSON, {} when absent.
func compactArgs(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil || b.Len() == 0 || b.String() == "null" {
		return "{}"
	}
	return b.String()
}

// blocked reports a prompt refused by the safety system.
func blocked(w *generateContentResponse) bool {
	return w.PromptFeedback != nil && w.PromptFeedback.BlockReason != ""
}

// finishReason maps Gemini's finishReason. STOP after a function call is
// tool_calls, as OpenAI reports it; reasons OpenAI has no name for (OTHER,
// MALFORMED_FUNCTION_CALL, …) end the choice as stop. An empty reason means
// the candidate is not finished yet and stays empty.
func finishReason(reason string, hasCalls bool) string {
	switch reason {
	case "":
		return ""
	case "MAX_TOKENS":
		return chat.FinishLength
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY":
		return chat.FinishContentFilter
	}
	if hasCalls {
		return chat.FinishToolCalls
	}
	return chat.FinishStop
}

// usage maps usageMetadata. Thinking tokens are billed as output, so they
// count in completion tokens and are broken out as reasoning tokens; tokens
// spent on tool-use prompts count as prompt. Cached tokens are already part
// of promptTokenCount, as OpenAI's cached_tokens are part of prompt_tokens.
func usage(u *usageMetadata) *chat.Usage {
	out := &chat.Usage{
		PromptTokens:     u.PromptTokenCount + u.ToolUsePromptTokenCount,
		CompletionTokens: u.CandidatesTokenCount + u.ThoughtsTokenCount,
		TotalTokens:      u.TotalTokenCount,
	}
	if out.TotalTokens == 0 {
		out.TotalTokens = out.PromptTokens + out.CompletionTokens
	}
	if u.CachedContentTokenCount > 0 {
		out.PromptTokensDetails = &chat.PromptTokensDetails{CachedTokens: u.CachedContentTokenCount}
	}
	if u.ThoughtsTokenCount > 0 {
		out.CompletionTokensDetails = &chat.CompletionTokensDetails{ReasoningTokens: u.ThoughtsTokenCount}
	}
	return out
}
