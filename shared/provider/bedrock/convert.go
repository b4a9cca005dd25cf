package bedrock

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// request is what a canonical request becomes; it fills both ConverseInput
// and ConverseStreamInput, which share these fields.
type request struct {
	system    []types.SystemContentBlock
	messages  []types.Message
	inference *types.InferenceConfiguration
	tools     *types.ToolConfiguration
	output    *types.OutputConfig
}

func (r *request) converse(model string) *bedrockruntime.ConverseInput {
	return &bedrockruntime.ConverseInput{
		ModelId: aws.String(model), System: r.system, Messages: r.messages,
		InferenceConfig: r.inference, ToolConfig: r.tools, OutputConfig: r.output,
	}
}

func (r *request) converseStream(model string) *bedrockruntime.ConverseStreamInput {
	return &bedrockruntime.ConverseStreamInput{
		ModelId: aws.String(model), System: r.system, Messages: r.messages,
		InferenceConfig: r.inference, ToolConfig: r.tools, OutputConfig: r.output,
	}
}

// toConverse converts a canonical request. System and developer messages
// become system blocks wherever they appear. Converse requires turns to
// alternate, so consecutive messages of one role (several tool results, or
// tool results followed by the user's next words) merge into one message.
// Anything Converse cannot express is an Invalid error naming the field.
// seed, presence_penalty and frequency_penalty have no Converse equivalent
// and are not sent.
func toConverse(cr *chat.Request) (*request, error) {
	if cr.N != nil && *cr.N > 1 {
		return nil, invalid("n", "Converse returns one choice; n must be 1")
	}
	r := &request{}
	hasToolBlocks := false
	for i, m := range cr.Messages {
		param := fmt.Sprintf("messages[%d]", i)
		switch m.Role {
		case chat.RoleSystem, chat.RoleDeveloper:
			texts, err := texts(m.Content, param)
			if err != nil {
				return nil, err
			}
			for _, t := range texts {
				r.system = append(r.system, &types.SystemContentBlockMemberText{Value: t})
			}
		case chat.RoleUser:
			blocks, err := userBlocks(m.Content, param)
			if err != nil {
				return nil, err
			}
			r.messages = appendTurn(r.messages, types.ConversationRoleUser, blocks)
		case chat.RoleAssistant:
			blocks, err := assistantBlocks(m, param)
			if err != nil {
				return nil, err
			}
			hasToolBlocks = hasToolBlocks || len(m.ToolCalls) > 0
			r.messages = appendTurn(r.messages, types.ConversationRoleAssistant, blocks)
		case chat.RoleTool:
			hasToolBlocks = true
			r.messages = appendTurn(r.messages, types.ConversationRoleUser, []types.ContentBlock{toolResultBlock(m)})
		default:
			return nil, invalid(param+".role", fmt.Sprintf("role %q is not supported", m.Role))
		}
	}
	tools, err := toolConfig(cr, hasToolBlocks)
	if err != nil {
		return nil, err
	}
	r.tools = tools
	if r.inference, err = inference(cr); err != nil {
		return nil, err
	}
	if r.output, err = outputConfig(cr.ResponseFormat); err != nil {
		return nil, err
	}
	return r, nil
}

// appendTurn adds blocks as a message of role, merging into the previous
// message when it has the same role, and skipping empty turns.
func appendTurn(ms []types.Message, role types.ConversationRole, blocks []types.ContentBlock) []types.Message {
	if len(blocks) == 0 {
		return ms
	}
	if n := len(ms); n > 0 && ms[n-1].Role == role {
		ms[n-1].Content = append(ms[n-1].Content, blocks...)
		return ms
	}
	return append(ms, types.Message{Role: role, Content: blocks})
}

// texts returns the non-empty texts of content that may hold only text
// (Converse rejects blank text blocks).
func texts(c chat.Content, param string) ([]string, error) {
	if !c.IsParts {
		if c.Text == "" {
			return nil, nil
		}
		return []string{c.Text}, nil
	}
	var out []string
	for j, p := range c.Parts {
		if p.Type != "text" {
			return nil, invalid(fmt.Sprintf("%s.content[%d].type", param, j), fmt.Sprintf("content type %q is not allowed in this message", p.Type))
		}
		if p.Text != "" {
			out = append(out, p.Text)
		}
	}
	return out, nil
}

// userBlocks converts a user message's text and images.
func userBlocks(c chat.Content, param string) ([]types.ContentBlock, error) {
	if !c.IsParts {
		return textBlocks(c, param)
	}
	var blocks []types.ContentBlock
	for j, p := range c.Parts {
		pp := fmt.Sprintf("%s.content[%d]", param, j)
		switch p.Type {
		case "text":
			if p.Text != "" {
				blocks = append(blocks, &types.ContentBlockMemberText{Value: p.Text})
			}
		case "image_url":
			if p.ImageURL == nil {
				return nil, invalid(pp+".image_url", "image_url is missing")
			}
			img, err := imageBlock(p.ImageURL.URL, pp+".image_url.url")
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, img)
		default:
			return nil, invalid(pp+".type", fmt.Sprintf("content type %q is not supported", p.Type))
		}
	}
	return blocks, nil
}

func textBlocks(c chat.Content, param string) ([]types.ContentBlock, error) {
	ts, err := texts(c, param)
	if err != nil {
		return nil, err
	}
	blocks := make([]types.ContentBlock, 0, len(ts))
	for _, t := range ts {
		blocks = append(blocks, &types.ContentBlockMemberText{Value: t})
	}
	return blocks, nil
}

// assistantBlocks converts an assistant turn: its text, then its tool calls.
func assistantBlocks(m chat.Message, param string) ([]types.ContentBlock, error) {
	blocks, err := textBlocks(m.Content, param)
	if err != nil {
		return nil, err
	}
	for j, tc := range m.ToolCalls {
		pp := fmt.Sprintf("%s.tool_calls[%d]", param, j)
		if tc.ID == "" || tc.Function.Name == "" {
			return nil, invalid(pp, "tool call needs an id and a function name")
		}
		input, err := jsonObject(tc.Function.Arguments)
		if err != nil {
			return nil, invalid(pp+".function.arguments", "tool call arguments must be a JSON object")
		}
		blocks = append(blocks, &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
			ToolUseId: aws.String(tc.ID),
			Name:      aws.String(tc.Function.Name),
			Input:     input,
		}})
	}
	return blocks, nil
}

// toolResultBlock converts a tool message. Its content goes as text, which
// every Converse model with tool use accepts (JSON result blocks are
// limited to some models).
func toolResultBlock(m chat.Message) types.ContentBlock {
	text := m.Content.String()
	var content []types.ToolResultContentBlock
	if text != "" {
		content = []types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: text}}
	} else {
		content = []types.ToolResultContentBlock{}
	}
	return &types.ContentBlockMemberToolResult{Value: types.ToolResultBlock{
		ToolUseId: aws.String(m.ToolCallID),
		Content:   content,
	}}
}

// invalid is a client error naming the request field Converse cannot take.
func invalid(param, msg string) error {
	return apperr.New(apperr.Invalid, "unsupported_request", "bedrock: "+msg).WithParam(param)
}
