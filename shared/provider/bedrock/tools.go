package bedrock

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// toolConfig converts tools and tool_choice. Converse has no "none": with
// it the tools are left out, unless the conversation already holds tool
// calls or results, which Converse accepts only alongside a tool
// configuration; then the tools stay and the model chooses.
func toolConfig(cr *chat.Request, hasToolBlocks bool) (*types.ToolConfiguration, error) {
	choice, none, err := toolChoice(cr.ToolChoice)
	if err != nil {
		return nil, err
	}
	if len(cr.Tools) == 0 || (none && !hasToolBlocks) {
		return nil, nil
	}
	cfg := &types.ToolConfiguration{ToolChoice: choice}
	for i, t := range cr.Tools {
		param := fmt.Sprintf("tools[%d]", i)
		if t.Type != "function" {
			return nil, invalid(param+".type", fmt.Sprintf("tool type %q is not supported", t.Type))
		}
		if t.Function.Name == "" {
			return nil, invalid(param+".function.name", "tool has no function name")
		}
		params := string(t.Function.Parameters)
		if len(t.Function.Parameters) == 0 || params == "null" {
			params = `{"type":"object","properties":{}}`
		}
		schema, err := jsonObject(params)
		if err != nil {
			return nil, invalid(param+".function.parameters", "parameters must be a JSON Schema object")
		}
		spec := types.ToolSpecification{
			Name:        aws.String(t.Function.Name),
			InputSchema: &types.ToolInputSchemaMemberJson{Value: schema},
			Strict:      t.Function.Strict,
		}
		if t.Function.Description != "" {
			spec.Description = aws.String(t.Function.Description)
		}
		cfg.Tools = append(cfg.Tools, &types.ToolMemberToolSpec{Value: spec})
	}
	return cfg, nil
}

// toolChoice maps "auto", "required", "none" and a named function.
func toolChoice(raw json.RawMessage) (choice types.ToolChoice, none bool, err error) {
	if len(raw) == 0 {
		return nil, false, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "auto":
			return &types.ToolChoiceMemberAuto{}, false, nil
		case "required":
			return &types.ToolChoiceMemberAny{}, false, nil
		case "none":
			return nil, true, nil
		}
		return nil, false, invalid("tool_choice", fmt.Sprintf("tool_choice %q is not supported", s))
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &named); err != nil || named.Type != "function" || named.Function.Name == "" {
		return nil, false, invalid("tool_choice", "tool_choice must be auto, none, required or a named function")
	}
	return &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String(named.Function.Name)}}, false, nil
}
