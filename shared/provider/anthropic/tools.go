package anthropic

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// emptySchema is the input schema of a function declared without parameters.
const emptySchema = `{"type":"object","properties":{}}`

func convertTools(tools []chat.Tool) ([]Tool, error) {
	out := make([]Tool, 0, len(tools))
	for i, t := range tools {
		if t.Type != "function" {
			return nil, apperr.New(apperr.Invalid, "unsupported_value",
				"only function tools are supported by this provider").WithParam(fmt.Sprintf("tools[%d].type", i))
		}
		schema := t.Function.Parameters
		if len(bytes.TrimSpace(schema)) == 0 || bytes.Equal(bytes.TrimSpace(schema), []byte("null")) {
			schema = json.RawMessage(emptySchema)
		}
		out = append(out, Tool{Name: t.Function.Name, Description: t.Function.Description, InputSchema: schema})
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// namedChoice is OpenAI's {"type":"function","function":{"name":…}}.
type namedChoice struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

// convertToolChoice maps OpenAI's tool_choice onto Anthropic's: auto → auto,
// none → none, required → any, a named function → tool. parallel_tool_calls
// false becomes disable_parallel_tool_use.
func convertToolChoice(raw json.RawMessage, parallel *bool) (*ToolChoice, error) {
	noParallel := parallel != nil && !*parallel
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		if noParallel {
			return &ToolChoice{Type: "auto", DisableParallelToolUse: true}, nil
		}
		return nil, nil
	}
	bad := apperr.New(apperr.Invalid, "invalid_value",
		`tool_choice must be "auto", "none", "required" or a named function`).WithParam("tool_choice")
	var tc ToolChoice
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		switch s {
		case "auto":
			tc.Type = "auto"
		case "none":
			return &ToolChoice{Type: "none"}, nil
		case "required":
			tc.Type = "any"
		default:
			return nil, bad
		}
	} else {
		var nc namedChoice
		if err := json.Unmarshal(raw, &nc); err != nil || nc.Type != "function" || nc.Function.Name == "" {
			return nil, bad
		}
		tc = ToolChoice{Type: "tool", Name: nc.Function.Name}
	}
	tc.DisableParallelToolUse = noParallel
	return &tc, nil
}

// jsonSchemaFormat is OpenAI's response_format.json_schema object.
type jsonSchemaFormat struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema"`
}

// convertResponseFormat maps json_schema onto Anthropic's structured outputs
// (output_config.format). json_object has no Anthropic equivalent: structured
// outputs need a schema, so it is refused rather than left unenforced.
func convertResponseFormat(rf *chat.ResponseFormat) (*OutputConfig, error) {
	if rf == nil || rf.Type == "" || rf.Type == "text" {
		return nil, nil
	}
	if rf.Type != "json_schema" {
		return nil, apperr.New(apperr.Invalid, "unsupported_parameter",
			fmt.Sprintf("response_format type %q is not supported by this provider; use json_schema", rf.Type)).
			WithParam("response_format")
	}
	var f jsonSchemaFormat
	if err := json.Unmarshal(rf.JSONSchema, &f); err != nil || len(f.Schema) == 0 {
		return nil, apperr.New(apperr.Invalid, "invalid_value",
			"response_format.json_schema.schema is required").WithParam("response_format.json_schema")
	}
	return &OutputConfig{Format: &OutputFormat{Type: "json_schema", Schema: f.Schema}}, nil
}
