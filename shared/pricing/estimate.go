package pricing

import "github.com/tollgate-dev/tollgate/shared/chat"

// Upper bounds used by PromptTokenBound. Byte-level BPE tokenizers (OpenAI,
// Anthropic, Gemini's SentencePiece with byte fallback, Bedrock's models)
// never emit more tokens than the text has UTF-8 bytes, so the byte count is
// a true upper bound; each message, tool and image adds framing of its own.
const (
	perMessageTokens = 8
	perRequestTokens = 16
	// perImageTokens bounds one image: OpenAI high detail at 2048×2048 is
	// 1,105 tokens, Anthropic caps images near 1,600, Gemini uses 258 per tile.
	perImageTokens = 2_000
	// perAttachmentTokens bounds audio and file parts, which a request may
	// carry only up to the body size limit anyway.
	perAttachmentTokens = 50_000
)

// PromptTokenBound returns an upper bound on the prompt tokens req can be
// billed for, computed locally with no tokenizer: it must never be less than
// what any provider reports, or a reservation could be exceeded.
func PromptTokenBound(req *chat.Request) int64 {
	n := int64(perRequestTokens)
	for i := range req.Messages {
		m := &req.Messages[i]
		n += perMessageTokens + int64(len(m.Role)+len(m.Name)+len(m.ToolCallID))
		if m.Content.IsParts {
			for _, p := range m.Content.Parts {
				switch p.Type {
				case "text":
					n += int64(len(p.Text))
				case "image_url":
					n += perImageTokens
				default:
					n += perAttachmentTokens
				}
			}
		} else {
			n += int64(len(m.Content.Text))
		}
		for _, tc := range m.ToolCalls {
			n += perMessageTokens + int64(len(tc.ID)+len(tc.Function.Name)+len(tc.Function.Arguments))
		}
	}
	for _, t := range req.Tools {
		n += perMessageTokens + int64(len(t.Function.Name)+len(t.Function.Description)+len(t.Function.Parameters))
	}
	if rf := req.ResponseFormat; rf != nil {
		n += int64(len(rf.JSONSchema))
	}
	return n
}
