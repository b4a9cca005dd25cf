package mock

import (
	"unicode"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Token counting rules. They are simple on purpose: tests and benchmarks can
// predict them exactly.
const (
	// perMessageTokens is added for each message (role and framing).
	perMessageTokens = 4
	// replyPrimingTokens is added once per request (the assistant's turn opener).
	replyPrimingTokens = 3
	// imageTokens is charged per image part, OpenAI's low-detail price.
	imageTokens = 85
	// maxPieceRunes is the longest run of letters or digits in one piece.
	maxPieceRunes = 4
)

// PromptTokens counts a request's input tokens: 3, plus for each message 4 +
// ceil(text bytes / 4) + 85 per image part, where the text is the content's
// text, the name, and each tool call's name and arguments; plus for each
// offered tool ceil((name + description + parameters bytes) / 4).
func PromptTokens(req *chat.Request) int64 {
	total := int64(replyPrimingTokens)
	for _, msg := range req.Messages {
		textBytes := len(msg.Content.String()) + len(msg.Name)
		for _, tc := range msg.ToolCalls {
			textBytes += len(tc.Function.Name) + len(tc.Function.Arguments)
		}
		total += perMessageTokens + ceilQuarter(textBytes)
		if msg.Content.IsParts {
			for _, p := range msg.Content.Parts {
				if p.Type == "image_url" {
					total += imageTokens
				}
			}
		}
	}
	for _, t := range req.Tools {
		total += ceilQuarter(len(t.Function.Name) + len(t.Function.Description) + len(t.Function.Parameters))
	}
	return total
}

func ceilQuarter(n int) int64 { return int64((n + 3) / 4) }

// Pieces splits text into the mock's completion tokens: each piece is any
// leading whitespace followed by one to four letters or digits, or by one
// other character; trailing whitespace is a piece of its own. Joining the
// pieces gives back the text, and one streamed chunk carries one piece.
func Pieces(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		start := i
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += n
		}
		if i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				i += n
			} else {
				for runes := 0; i < len(text) && runes < maxPieceRunes; runes++ {
					r, n := utf8.DecodeRuneInString(text[i:])
					if !isWordRune(r) {
						break
					}
					i += n
				}
			}
		}
		out = append(out, text[start:i])
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
