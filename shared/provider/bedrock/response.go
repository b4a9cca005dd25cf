package bedrock

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// fromConverse converts a Converse response into one choice. Text blocks
// are joined; reasoning blocks are the model's thinking, not its answer,
// and are dropped.
func fromConverse(out *bedrockruntime.ConverseOutput, id, model string, created int64) (*chat.Response, error) {
	msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok {
		return nil, fmt.Errorf("decode response: no output message")
	}
	var text strings.Builder
	var calls []chat.ToolCall
	for _, b := range msg.Value.Content {
		switch v := b.(type) {
		case *types.ContentBlockMemberText:
			text.WriteString(v.Value)
		case *types.ContentBlockMemberToolUse:
			args, err := documentJSON(v.Value.Input)
			if err != nil {
				return nil, err
			}
			calls = append(calls, chat.ToolCall{
				ID:       deref(v.Value.ToolUseId),
				Type:     "function",
				Function: chat.FunctionCall{Name: deref(v.Value.Name), Arguments: args},
			})
		}
	}
	m := chat.Message{Role: chat.RoleAssistant, Content: chat.TextContent(text.String()), ToolCalls: calls}
	if text.Len() == 0 && len(calls) > 0 {
		m.Content = chat.Content{IsNull: true}
	}
	resp := &chat.Response{
		ID: id, Object: "chat.completion", Created: created, Model: model,
		Choices: []chat.Choice{{Message: m, FinishReason: finishReason(out.StopReason)}},
	}
	if out.Usage != nil {
		resp.Usage = usage(out.Usage)
	}
	return resp, nil
}

// finishReason maps Converse's stopReason. Running out of context window
// is reported as length; malformed output, which OpenAI has no name for,
// as stop.
func finishReason(r types.StopReason) string {
	switch r {
	case types.StopReasonMaxTokens, types.StopReasonModelContextWindowExceeded:
		return chat.FinishLength
	case types.StopReasonToolUse:
		return chat.FinishToolCalls
	case types.StopReasonGuardrailIntervened, types.StopReasonContentFiltered:
		return chat.FinishContentFilter
	}
	return chat.FinishStop
}

// usage maps TokenUsage. Bedrock's inputTokens excludes the prompt tokens
// read from or written to the cache, while OpenAI's prompt_tokens includes
// them, so all three are added; cached_tokens and cache_creation_tokens
// break them out again.
func usage(u *types.TokenUsage) *chat.Usage {
	read, write := int64(deref32(u.CacheReadInputTokens)), int64(deref32(u.CacheWriteInputTokens))
	out := &chat.Usage{
		PromptTokens:     int64(deref32(u.InputTokens)) + read + write,
		CompletionTokens: int64(deref32(u.OutputTokens)),
		TotalTokens:      int64(deref32(u.TotalTokens)),
	}
	if out.TotalTokens == 0 {
		out.TotalTokens = out.PromptTokens + out.CompletionTokens
	}
	if read > 0 || write > 0 {
		out.PromptTokensDetails = &chat.PromptTokensDetails{CachedTokens: read, CacheCreationTokens: write}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func deref32(n *int32) int32 {
	if n == nil {
		return 0
	}
	return *n
}
