package mock

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// maxChoices is OpenAI's limit on n.
const maxChoices = 128

// toolArguments are the arguments of every mock tool call.
const toolArguments = "{}"

// generation is a request's complete outcome, computed once and then
// rendered as a response or as chunks, so both report the same usage.
type generation struct {
	choices []generated
	usage   chat.Usage
}

// generated is one choice: text pieces, or a tool call.
type generated struct {
	pieces []string
	tool   *chat.ToolCall
	finish string
}

// generate computes the outcome of req, or a 400 for a request an OpenAI
// upstream would refuse.
func (m *Mock) generate(req *chat.Request) (*generation, error) {
	if err := validate(req); err != nil {
		return nil, err
	}
	ceiling := req.OutputCeiling()
	g := &generation{choices: make([]generated, req.Choices())}
	for i := range g.choices {
		c := m.choice(req, i, ceiling)
		g.choices[i] = c
		g.usage.CompletionTokens += c.tokens()
	}
	g.usage.PromptTokens = PromptTokens(req)
	g.usage.TotalTokens = g.usage.PromptTokens + g.usage.CompletionTokens
	return g, nil
}

// choice computes choice i, cut to the ceiling (0 means none).
func (m *Mock) choice(req *chat.Request, i int, ceiling int64) generated {
	if name, ok := toolCalled(req); ok {
		tc := &chat.ToolCall{ID: toolCallID(req, i), Type: "function", Function: chat.FunctionCall{Name: name, Arguments: toolArguments}}
		c := generated{tool: tc, finish: chat.FinishToolCalls}
		if ceiling > 0 && c.tokens() > ceiling {
			// A call cut short is no call: answer nothing, as truncated.
			return generated{finish: chat.FinishLength}
		}
		return c
	}
	text := cutAtStop(m.answer(req.Model, req.Messages, i), req.Stop)
	pieces := Pieces(text)
	if ceiling > 0 && int64(len(pieces)) > ceiling {
		return generated{pieces: pieces[:ceiling], finish: chat.FinishLength}
	}
	return generated{pieces: pieces, finish: chat.FinishStop}
}

// tokens is the choice's completion tokens: its pieces, or for a tool call
// the pieces of its name and arguments.
func (c *generated) tokens() int64 {
	if c.tool != nil {
		return int64(len(Pieces(c.tool.Function.Name)) + len(Pieces(c.tool.Function.Arguments)))
	}
	return int64(len(c.pieces))
}

// text joins the choice's pieces.
func (c *generated) text() string { return strings.Join(c.pieces, "") }

// validate refuses what OpenAI refuses, with its error type.
func validate(req *chat.Request) error {
	bad := func(msg string) error {
		return &provider.Error{Provider: Name, StatusCode: http.StatusBadRequest, Type: "invalid_request_error", Message: msg}
	}
	switch {
	case req.Model == "":
		return bad("you must provide a model parameter")
	case len(req.Messages) == 0:
		return bad("messages must contain at least one message")
	case req.Choices() < 1 || req.Choices() > maxChoices:
		return bad("n must be between 1 and 128")
	case req.MaxTokens != nil && *req.MaxTokens < 1, req.MaxCompletionTokens != nil && *req.MaxCompletionTokens < 1:
		return bad("max_tokens must be at least 1")
	}
	return nil
}

// toolCalled returns the offered tool the last user message asks for with
// "call <name>", unless tool_choice is "none".
func toolCalled(req *chat.Request) (string, bool) {
	if len(req.Tools) == 0 {
		return "", false
	}
	var choice string
	if json.Unmarshal(req.ToolChoice, &choice) == nil && choice == "none" {
		return "", false
	}
	var last string
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == chat.RoleUser {
			last = req.Messages[i].Content.String()
			break
		}
	}
	for _, t := range req.Tools {
		if name := t.Function.Name; name != "" && strings.Contains(last, "call "+name) {
			return name, true
		}
	}
	return "", false
}

// toolCallID is derived from the request, so both renderings agree.
func toolCallID(req *chat.Request, i int) string {
	a, b := seed(req.Model, req.Messages, i)
	var raw [12]byte
	for k := range 8 {
		raw[k] = byte(a >> (8 * k))
	}
	for k := range 4 {
		raw[8+k] = byte(b >> (8 * k))
	}
	return "call_" + hex.EncodeToString(raw[:])
}

// cutAtStop ends text before the earliest stop sequence.
func cutAtStop(text string, stop chat.Stop) string {
	end := len(text)
	for _, s := range stop {
		if s == "" {
			continue
		}
		if at := strings.Index(text, s); at >= 0 && at < end {
			end = at
		}
	}
	return text[:end]
}
