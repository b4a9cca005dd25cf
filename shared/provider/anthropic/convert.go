package anthropic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// toWire converts a canonical request into a Messages API request. It refuses
// what Anthropic cannot do (n > 1, json_object output, temperature above 1)
// with an Invalid error naming the parameter, rather than silently answering
// a different question than the client asked.
func toWire(r *chat.Request, defaultMaxTokens int64, stream bool) (*Request, error) {
	if r.Choices() > 1 {
		return nil, apperr.New(apperr.Invalid, "unsupported_parameter",
			"n greater than 1 is not supported by this provider").WithParam("n")
	}
	maxTokens, err := maxTokens(r, defaultMaxTokens)
	if err != nil {
		return nil, err
	}
	if r.Temperature != nil && (*r.Temperature < 0 || *r.Temperature > 1) {
		return nil, apperr.New(apperr.Invalid, "unsupported_value",
			"temperature must be between 0 and 1 for this provider").WithParam("temperature")
	}
	w := &Request{
		Model:         r.Model,
		MaxTokens:     maxTokens,
		StopSequences: r.Stop,
		Temperature:   r.Temperature,
		TopP:          r.TopP,
		Stream:        stream,
	}
	if r.User != "" {
		w.Metadata = &Metadata{UserID: r.User}
	}
	if err := convertMessages(w, r.Messages); err != nil {
		return nil, err
	}
	if w.Tools, err = convertTools(r.Tools); err != nil {
		return nil, err
	}
	if len(w.Tools) > 0 {
		if w.ToolChoice, err = convertToolChoice(r.ToolChoice, r.ParallelToolCalls); err != nil {
			return nil, err
		}
	}
	if w.OutputConfig, err = convertResponseFormat(r.ResponseFormat); err != nil {
		return nil, err
	}
	return w, nil
}

// maxTokens returns the request's output ceiling, or the default when it sets
// none: Anthropic requires max_tokens on every request.
func maxTokens(r *chat.Request, def int64) (int64, error) {
	n := r.OutputCeiling()
	switch {
	case r.MaxCompletionTokens == nil && r.MaxTokens == nil:
		return def, nil
	case n < 1:
		param := "max_tokens"
		if r.MaxCompletionTokens != nil {
			param = "max_completion_tokens"
		}
		return 0, apperr.New(apperr.Invalid, "invalid_value", param+" must be at least 1").WithParam(param)
	}
	return n, nil
}

// convertMessages hoists system and developer messages into the top-level
// system prompt and turns the rest into alternating user/assistant turns.
func convertMessages(w *Request, msgs []chat.Message) error {
	for i, m := range msgs {
		param := fmt.Sprintf("messages[%d]", i)
		switch m.Role {
		case chat.RoleSystem, chat.RoleDeveloper:
			text, err := systemText(m.Content, param+".content")
			if err != nil {
				return err
			}
			w.System = append(w.System, textBlocks(text)...)
		case chat.RoleUser:
			blocks, err := userBlocks(m.Content, param+".content")
			if err != nil {
				return err
			}
			w.Messages = appendTurn(w.Messages, "user", blocks)
		case chat.RoleAssistant:
			blocks, err := assistantBlocks(m, param)
			if err != nil {
				return err
			}
			w.Messages = appendTurn(w.Messages, "assistant", blocks)
		case chat.RoleTool:
			block, err := toolResultBlock(m, param)
			if err != nil {
				return err
			}
			w.Messages = appendTurn(w.Messages, "user", []ContentBlock{block})
		default:
			return apperr.New(apperr.Invalid, "invalid_value",
				"message role must be system, developer, user, assistant or tool").WithParam(param + ".role")
		}
	}
	if len(w.Messages) == 0 {
		return apperr.New(apperr.Invalid, "invalid_value",
			"messages must include a user or assistant message with content").WithParam("messages")
	}
	return nil
}

// appendTurn adds blocks as a turn of role, merging them into the previous
// turn when it has the same role: Anthropic requires strict alternation, and
// an assistant tool-call turn is followed by several tool results that
// together form one user turn. Turns without content are dropped.
func appendTurn(turns []Message, role string, blocks []ContentBlock) []Message {
	if len(blocks) == 0 {
		return turns
	}
	if n := len(turns); n > 0 && turns[n-1].Role == role {
		turns[n-1].Content = append(turns[n-1].Content, blocks...)
		return turns
	}
	return append(turns, Message{Role: role, Content: blocks})
}

// assistantBlocks converts an assistant turn: its text, then one tool_use
// block per tool call with the JSON arguments decoded into input.
func assistantBlocks(m chat.Message, param string) ([]ContentBlock, error) {
	blocks, err := assistantText(m.Content, param+".content")
	if err != nil {
		return nil, err
	}
	for j, tc := range m.ToolCalls {
		p := fmt.Sprintf("%s.tool_calls[%d]", param, j)
		input, err := toolInput(tc.Function.Arguments, p+".function.arguments")
		if err != nil {
			return nil, err
		}
		if tc.ID == "" || tc.Function.Name == "" {
			return nil, apperr.New(apperr.Invalid, "invalid_value",
				"tool calls need an id and a function name").WithParam(p)
		}
		blocks = append(blocks, ContentBlock{Type: "tool_use", ID: tc.ID, Name: tc.Function.Name, Input: input})
	}
	return blocks, nil
}

// toolInput checks that a tool call's arguments are a JSON object, which is
// what Anthropic's input must be. Empty arguments mean no arguments.
func toolInput(args, param string) (json.RawMessage, error) {
	if strings.TrimSpace(args) == "" {
		return json.RawMessage(`{}`), nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(args), &obj); err != nil || obj == nil {
		return nil, apperr.New(apperr.Invalid, "invalid_tool_arguments",
			"tool call arguments must be a JSON object").WithParam(param)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(args)); err != nil {
		return nil, apperr.New(apperr.Invalid, "invalid_tool_arguments",
			"tool call arguments must be a JSON object").WithParam(param)
	}
	return b.Bytes(), nil
}

// toolResultBlock converts a tool message into a tool_result block, which
// Anthropic carries in a user turn.
func toolResultBlock(m chat.Message, param string) (ContentBlock, error) {
	if m.ToolCallID == "" {
		return ContentBlock{}, apperr.New(apperr.Invalid, "invalid_value",
			"tool messages need a tool_call_id").WithParam(param + ".tool_call_id")
	}
	content, err := userBlocks(m.Content, param+".content")
	if err != nil {
		return ContentBlock{}, err
	}
	return ContentBlock{Type: "tool_result", ToolUseID: m.ToolCallID, Content: content}, nil
}

// fromWire converts a Messages API response into a chat completion.
func fromWire(w *Response, created int64) *chat.Response {
	var text strings.Builder
	var calls []chat.ToolCall
	for _, b := range w.Content {
		switch b.Type {
		case "text":
			text.WriteString(b.Text)
		case "tool_use":
			calls = append(calls, chat.ToolCall{
				ID: b.ID, Type: "function",
				Function: chat.FunctionCall{Name: b.Name, Arguments: compactJSON(b.Input)},
			})
		}
	}
	msg := chat.Message{Role: chat.RoleAssistant, Content: chat.TextContent(text.String()), ToolCalls: calls}
	if text.Len() == 0 && len(calls) > 0 {
		msg.Content = chat.Content{IsNull: true}
	}
	return &chat.Response{
		ID:      w.ID,
		Object:  "chat.completion",
		Created: created,
		Model:   w.Model,
		Choices: []chat.Choice{{Index: 0, Message: msg, FinishReason: finishReason(w.StopReason)}},
		Usage:   toUsage(w.Usage),
	}
}

// compactJSON renders a tool_use input as the arguments string OpenAI
// clients parse; an absent input is an empty object.
func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "{}"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// finishReason maps Anthropic's stop_reason onto OpenAI's finish_reason.
// pause_turn (a server tool paused a long turn) ends this response normally.
func finishReason(stop string) string {
	switch stop {
	case "max_tokens", "model_context_window_exceeded":
		return chat.FinishLength
	case "tool_use":
		return chat.FinishToolCalls
	case "refusal":
		return chat.FinishContentFilter
	}
	return chat.FinishStop
}

// toUsage converts Anthropic's usage. OpenAI's prompt_tokens includes cached
// tokens, while Anthropic's input_tokens excludes both cache reads and cache
// writes, so prompt_tokens is the sum of the three and the cache counts are
// broken out in prompt_tokens_details.
func toUsage(u Usage) *chat.Usage {
	prompt := u.InputTokens + u.CacheReadInputTokens + u.CacheCreationInputTokens
	return &chat.Usage{
		PromptTokens:     prompt,
		CompletionTokens: u.OutputTokens,
		TotalTokens:      prompt + u.OutputTokens,
		PromptTokensDetails: &chat.PromptTokensDetails{
			CachedTokens:        u.CacheReadInputTokens,
			CacheCreationTokens: u.CacheCreationInputTokens,
		},
	}
}
