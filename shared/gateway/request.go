package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Request limits. Each is documented in the README and crossed by a test.
const (
	MaxChoices     = 8
	MaxMessages    = 2_048
	MaxTools       = 128
	MaxStop        = 4
	MaxTags        = 16
	MaxTagKeyLen   = 64
	MaxTagValueLen = 256
	MaxModelLen    = 256
)

// readBody reads at most limit bytes, refusing larger bodies before parsing.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	tooLarge := apperr.New(apperr.TooLarge, "request_too_large",
		fmt.Sprintf("the request body exceeds %d bytes", limit))
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, apperr.Wrap(err, apperr.Invalid, "unreadable_body", "the request body could not be read")
	}
	return body, nil
}

func invalid(code, param, msg string) *apperr.Error {
	return apperr.New(apperr.Invalid, code, msg).WithParam(param)
}

// parseChat decodes and validates a chat completion request. Messages never
// quote the request's content back, so no prompt text reaches a log.
func parseChat(body []byte) (*chat.Request, error) {
	if len(body) == 0 {
		return nil, invalid("invalid_json", "", "the request body is empty; send a JSON chat completion request")
	}
	if !utf8.Valid(body) {
		return nil, invalid("invalid_encoding", "", "the request body is not valid UTF-8")
	}
	var req chat.Request
	if err := json.Unmarshal(body, &req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, invalid("invalid_type", te.Field, fmt.Sprintf("field %q has the wrong type: expected %s", te.Field, te.Type))
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, invalid("invalid_json", "", fmt.Sprintf("the request body is not valid JSON (at byte %d)", se.Offset))
		}
		return nil, invalid("invalid_json", "", "the request body is not a valid chat completion request")
	}
	return &req, validate(&req)
}

var validRoles = map[string]bool{
	chat.RoleSystem: true, chat.RoleDeveloper: true, chat.RoleUser: true, chat.RoleAssistant: true, chat.RoleTool: true,
}

func validate(r *chat.Request) error {
	switch {
	case r.Model == "":
		return invalid("missing_model", "model", "model is required")
	case len(r.Model) > MaxModelLen:
		return invalid("invalid_model", "model", "model name is too long")
	case len(r.Messages) == 0:
		return invalid("empty_messages", "messages", "messages must contain at least one message")
	case len(r.Messages) > MaxMessages:
		return invalid("too_many_messages", "messages", fmt.Sprintf("at most %d messages are allowed", MaxMessages))
	case r.N != nil && (*r.N < 1 || *r.N > MaxChoices):
		return invalid("invalid_n", "n", fmt.Sprintf("n must be between 1 and %d", MaxChoices))
	case r.MaxTokens != nil && *r.MaxTokens < 1:
		return invalid("invalid_max_tokens", "max_tokens", "max_tokens must be at least 1")
	case r.MaxCompletionTokens != nil && *r.MaxCompletionTokens < 1:
		return invalid("invalid_max_tokens", "max_completion_tokens", "max_completion_tokens must be at least 1")
	case r.Temperature != nil && (*r.Temperature < 0 || *r.Temperature > 2):
		return invalid("invalid_temperature", "temperature", "temperature must be between 0 and 2")
	case r.TopP != nil && (*r.TopP < 0 || *r.TopP > 1):
		return invalid("invalid_top_p", "top_p", "top_p must be between 0 and 1")
	case r.StreamOptions != nil && !r.Stream:
		return invalid("invalid_stream_options", "stream_options", "stream_options is only allowed when stream is true")
	case len(r.Stop) > MaxStop:
		return invalid("invalid_stop", "stop", fmt.Sprintf("at most %d stop sequences are allowed", MaxStop))
	case len(r.Tools) > MaxTools:
		return invalid("too_many_tools", "tools", fmt.Sprintf("at most %d tools are allowed", MaxTools))
	case len(r.Metadata) > MaxTags:
		return invalid("too_many_tags", "metadata", fmt.Sprintf("at most %d metadata keys are allowed", MaxTags))
	}
	for k, v := range r.Metadata {
		if len(k) == 0 || len(k) > MaxTagKeyLen || len(v) > MaxTagValueLen {
			return invalid("invalid_metadata", "metadata", fmt.Sprintf("metadata keys must be 1-%d bytes and values at most %d bytes", MaxTagKeyLen, MaxTagValueLen))
		}
	}
	for i, t := range r.Tools {
		if t.Type != "function" || t.Function.Name == "" {
			return invalid("invalid_tool", fmt.Sprintf("tools[%d]", i), "each tool must be of type function and have a name")
		}
	}
	for i := range r.Messages {
		if err := validateMessage(&r.Messages[i], i); err != nil {
			return err
		}
	}
	return nil
}

func validateMessage(m *chat.Message, i int) error {
	param := fmt.Sprintf("messages[%d]", i)
	if !validRoles[m.Role] {
		return invalid("invalid_role", param+".role", "role must be one of system, developer, user, assistant or tool")
	}
	if m.Content.IsNull && !(m.Role == chat.RoleAssistant && len(m.ToolCalls) > 0) {
		return invalid("missing_content", param+".content", "content is required for this message")
	}
	if m.Role == chat.RoleTool && m.ToolCallID == "" {
		return invalid("missing_tool_call_id", param+".tool_call_id", "tool messages must carry tool_call_id")
	}
	if len(m.ToolCalls) > 0 && m.Role != chat.RoleAssistant {
		return invalid("invalid_tool_calls", param+".tool_calls", "only assistant messages may carry tool_calls")
	}
	for j, p := range m.Content.Parts {
		switch p.Type {
		case "text":
		case "image_url":
			if p.ImageURL == nil || p.ImageURL.URL == "" {
				return invalid("invalid_content_part", fmt.Sprintf("%s.content[%d]", param, j), "image_url parts need a url")
			}
		case "input_audio", "file":
		default:
			return invalid("invalid_content_part", fmt.Sprintf("%s.content[%d].type", param, j), "content part type must be text, image_url, input_audio or file")
		}
	}
	return nil
}
