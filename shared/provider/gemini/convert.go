package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Gemini's names for the two conversation roles.
const (
	roleUser  = "user"
	roleModel = "model"
)

// toWire converts a canonical request into a generateContent body. System
// and developer messages become the system instruction wherever they appear;
// the rest keep their order. Anything Gemini cannot express is an Invalid
// error naming the request field, so the client learns what to change.
func toWire(r *chat.Request) (*generateContentRequest, error) {
	w := &generateContentRequest{}
	var system []part
	callNames := make(map[string]string) // tool call id → function name
	toolTurn := false                    // the last content holds function responses
	for i, m := range r.Messages {
		param := fmt.Sprintf("messages[%d]", i)
		switch m.Role {
		case chat.RoleSystem, chat.RoleDeveloper:
			parts, err := textParts(m.Content, param)
			if err != nil {
				return nil, err
			}
			system = append(system, parts...)
		case chat.RoleUser:
			parts, err := userParts(m.Content, param)
			if err != nil {
				return nil, err
			}
			w.Contents = appendTurn(w.Contents, roleUser, parts)
			toolTurn = false
		case chat.RoleAssistant:
			parts, err := assistantParts(m, param, callNames)
			if err != nil {
				return nil, err
			}
			w.Contents = appendTurn(w.Contents, roleModel, parts)
			toolTurn = false
		case chat.RoleTool:
			p, err := toolResultPart(m, param, callNames)
			if err != nil {
				return nil, err
			}
			if toolTurn {
				last := &w.Contents[len(w.Contents)-1]
				last.Parts = append(last.Parts, p)
				continue
			}
			w.Contents = appendTurn(w.Contents, roleUser, []part{p})
			toolTurn = true
		default:
			return nil, invalid(param+".role", fmt.Sprintf("role %q is not supported", m.Role))
		}
	}
	if len(system) > 0 {
		w.SystemInstruction = &content{Parts: system}
	}
	if err := convertTools(r, w); err != nil {
		return nil, err
	}
	gc, err := generation(r)
	if err != nil {
		return nil, err
	}
	w.GenerationConfig = gc
	return w, nil
}

// appendTurn adds a content, skipping turns with nothing in them (Gemini
// rejects a content without parts).
func appendTurn(cs []content, role string, parts []part) []content {
	if len(parts) == 0 {
		return cs
	}
	return append(cs, content{Role: role, Parts: parts})
}

// textParts converts content that may hold only text.
func textParts(c chat.Content, param string) ([]part, error) {
	if !c.IsParts {
		if c.Text == "" {
			return nil, nil
		}
		return []part{{Text: c.Text}}, nil
	}
	var parts []part
	for j, p := range c.Parts {
		if p.Type != "text" {
			return nil, invalid(fmt.Sprintf("%s.content[%d].type", param, j), fmt.Sprintf("content type %q is not allowed in this message", p.Type))
		}
		if p.Text != "" {
			parts = append(parts, part{Text: p.Text})
		}
	}
	return parts, nil
}

// userParts converts a user message's text and media.
func userParts(c chat.Content, param string) ([]part, error) {
	if !c.IsParts {
		return textParts(c, param)
	}
	var parts []part
	for j, p := range c.Parts {
		pp := fmt.Sprintf("%s.content[%d]", param, j)
		switch p.Type {
		case "text":
			if p.Text != "" {
				parts = append(parts, part{Text: p.Text})
			}
		case "image_url":
			if p.ImageURL == nil {
				return nil, invalid(pp+".image_url", "image_url is missing")
			}
			ip, err := imagePart(p.ImageURL.URL, pp+".image_url.url")
			if err != nil {
				return nil, err
			}
			parts = append(parts, ip)
		case "input_audio":
			ap, err := audioPart(p.InputAudio, pp+".input_audio")
			if err != nil {
				return nil, err
			}
			parts = append(parts, ap)
		case "file":
			fp, err := filePart(p.File, pp+".file")
			if err != nil {
				return nil, err
			}
			parts = append(parts, fp)
		default:
			return nil, invalid(pp+".type", fmt.Sprintf("content type %q is not supported", p.Type))
		}
	}
	return parts, nil
}

// skipSignature is the value the API documents for a function call whose
// thought signature was not kept. Gemini 3 models refuse a replayed call
// without a signature, and the canonical tool call has no field to carry the
// real one back.
const skipSignature = "skip_thought_signature_validator"

// assistantParts converts an assistant turn: its text, then its tool calls,
// remembering each call's name so a later tool message can be matched.
func assistantParts(m chat.Message, param string, callNames map[string]string) ([]part, error) {
	parts, err := textParts(m.Content, param)
	if err != nil {
		return nil, err
	}
	for j, tc := range m.ToolCalls {
		pp := fmt.Sprintf("%s.tool_calls[%d]", param, j)
		if tc.Function.Name == "" {
			return nil, invalid(pp+".function.name", "tool call has no function name")
		}
		args, err := jsonObject(tc.Function.Arguments)
		if err != nil {
			return nil, invalid(pp+".function.arguments", "tool call arguments must be a JSON object")
		}
		callNames[tc.ID] = tc.Function.Name
		parts = append(parts, part{
			FunctionCall:     &functionCall{Name: tc.Function.Name, Args: args},
			ThoughtSignature: skipSignature,
		})
	}
	return parts, nil
}

// toolResultPart converts a tool message into a functionResponse. Gemini
// matches responses by function name, found from the call the message
// answers. A JSON-object result is sent as is; anything else is wrapped as
// {"output": text}, the key the API documents for a function's output.
func toolResultPart(m chat.Message, param string, callNames map[string]string) (part, error) {
	name, ok := callNames[m.ToolCallID]
	if !ok {
		return part{}, invalid(param+".tool_call_id", "tool message does not answer an earlier tool call")
	}
	text := m.Content.String()
	resp, err := jsonObject(text)
	if err != nil || strings.TrimSpace(text) == "" {
		wrapped, merr := json.Marshal(map[string]string{"output": text})
		if merr != nil {
			return part{}, fmt.Errorf("encode tool result: %w", merr)
		}
		resp = wrapped
	}
	return part{FunctionResponse: &functionResponse{Name: name, Response: resp}}, nil
}

// jsonObject checks that s is a JSON object; empty means {}.
func jsonObject(s string) (json.RawMessage, error) {
	b := bytes.TrimSpace([]byte(s))
	if len(b) == 0 {
		return json.RawMessage("{}"), nil
	}
	if b[0] != '{' || !json.Valid(b) {
		return nil, fmt.Errorf("not a JSON object")
	}
	return json.RawMessage(b), nil
}

// invalid is a client error naming the request field Gemini cannot take.
func invalid(param, msg string) error {
	return apperr.New(apperr.Invalid, "unsupported_request", "gemini: "+msg).WithParam(param)
}
