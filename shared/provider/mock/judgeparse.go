package mock

import (
	"strings"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// The framing of a judge request's user message, as shared/score renders it
// (writeItem, writeTagged, rubricRequest, pairRequest). Every tag sits on a
// line of its own, so the separators below include the line breaks around
// them; item or response text that happens to contain a whole separator can
// mislead the parse, which then yields a grade for the wrong split rather
// than an error, as a confused real judge would.
const (
	convOpen    = "<conversation>\n"
	convClose   = "\n</conversation>\n"
	refOpen     = "A reference answer, to guide the evaluation:\n<reference>\n"
	refClose    = "\n</reference>\n"
	respOpen    = "<response>\n"
	respClose   = "\n</response>\n"
	firstLabel  = "Response 1:\n"
	secondLabel = "Response 2:\n"
)

// judgeInput is the material of one judge request.
type judgeInput struct {
	// conversation is the text between the conversation tags: "[role]"
	// header lines, each followed by that message's text.
	conversation string
	// reference is the item's reference answer, when hasRef.
	reference string
	hasRef    bool
	// responses holds one response (rubric mode) or two (pairwise, in the
	// order shown).
	responses []string
}

// parseJudge splits a judge request's user message into its parts, or
// reports that it is not framed as the judge frames it.
func parseJudge(text string) (judgeInput, bool) {
	var in judgeInput
	if !strings.HasPrefix(text, convOpen) {
		return in, false
	}
	// Keep the opening tag's line break, so an empty conversation still
	// meets its closing separator.
	rest := text[len(convOpen)-1:]
	end := strings.Index(rest, convClose)
	if end < 0 {
		return in, false
	}
	if end > 0 {
		in.conversation = rest[1:end]
	}
	rest = rest[end+len(convClose):]
	if after, ok := strings.CutPrefix(rest, refOpen); ok {
		ref, tail, found := strings.Cut(after, refClose)
		if !found {
			return in, false
		}
		in.reference, in.hasRef, rest = ref, strings.TrimSpace(ref) != "", tail
	}
	if pair, ok := strings.CutPrefix(rest, firstLabel+respOpen); ok {
		body, ok := strings.CutSuffix(pair, respClose)
		if !ok {
			return in, false
		}
		first, second, found := strings.Cut(body, respClose+secondLabel+respOpen)
		if !found {
			return in, false
		}
		in.responses = []string{first, second}
		return in, true
	}
	one, ok := strings.CutPrefix(rest, respOpen)
	if !ok {
		return in, false
	}
	body, ok := strings.CutSuffix(one, respClose)
	if !ok {
		return in, false
	}
	in.responses = []string{body}
	return in, true
}

// messages rebuilds the conversation's messages from its "[role]" header
// lines. Plain text messages come back exactly, so Correct agrees with what
// a mock candidate was asked; names, tool call IDs and image parts are not
// rendered, so conversations using them come back approximately. It
// returns nil when the text does not start with a header.
func (in judgeInput) messages() []chat.Message {
	var msgs []chat.Message
	var lines []string
	flush := func() {
		if len(msgs) > 0 {
			msgs[len(msgs)-1].Content = chat.TextContent(strings.Join(lines, "\n"))
		}
		lines = lines[:0]
	}
	for _, line := range strings.Split(in.conversation, "\n") {
		if role, ok := roleHeader(line); ok {
			flush()
			msgs = append(msgs, chat.Message{Role: role})
			continue
		}
		if len(msgs) == 0 {
			return nil
		}
		lines = append(lines, line)
	}
	flush()
	return msgs
}

// roleHeader reports whether line is a message header such as "[user]".
func roleHeader(line string) (string, bool) {
	inner, ok := strings.CutPrefix(line, "[")
	if !ok {
		return "", false
	}
	role, ok := strings.CutSuffix(inner, "]")
	if !ok {
		return "", false
	}
	switch role {
	case chat.RoleSystem, chat.RoleDeveloper, chat.RoleUser, chat.RoleAssistant, chat.RoleTool:
		return role, true
	}
	return "", false
}
