package gemini

import (
	"encoding/json"
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// convertTools sets the function declarations and the calling mode.
func convertTools(r *chat.Request, w *generateContentRequest) error {
	if len(r.Tools) > 0 {
		decls := make([]functionDeclaration, 0, len(r.Tools))
		for i, t := range r.Tools {
			if t.Type != "function" {
				return invalid(fmt.Sprintf("tools[%d].type", i), fmt.Sprintf("tool type %q is not supported", t.Type))
			}
			if t.Function.Name == "" {
				return invalid(fmt.Sprintf("tools[%d].function.name", i), "tool has no function name")
			}
			decls = append(decls, functionDeclaration{
				Name:                 t.Function.Name,
				Description:          t.Function.Description,
				ParametersJSONSchema: t.Function.Parameters,
			})
		}
		w.Tools = []tool{{FunctionDeclarations: decls}}
	}
	if len(r.ToolChoice) == 0 {
		return nil
	}
	cfg, err := toolChoice(r.ToolChoice)
	if err != nil {
		return err
	}
	w.ToolConfig = &toolConfig{FunctionCallingConfig: cfg}
	return nil
}

// toolChoice maps OpenAI's tool_choice: "auto", "none", "required" or one
// named function, which becomes mode ANY restricted to that name.
func toolChoice(raw json.RawMessage) (functionCallingConfig, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		switch s {
		case "auto":
			return functionCallingConfig{Mode: "AUTO"}, nil
		case "none":
			return functionCallingConfig{Mode: "NONE"}, nil
		case "required":
			return functionCallingConfig{Mode: "ANY"}, nil
		}
		return functionCallingConfig{}, invalid("tool_choice", fmt.Sprintf("tool_choice %q is not supported", s))
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &named); err != nil || named.Type != "function" || named.Function.Name == "" {
		return functionCallingConfig{}, invalid("tool_choice", "tool_choice must be auto, none, required or a named function")
	}
	return functionCallingConfig{Mode: "ANY", AllowedFunctionNames: []string{named.Function.Name}}, nil
}
