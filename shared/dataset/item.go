package dataset

import (
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// Item is one evaluation case: a conversation ending in a user turn, which
// each candidate model answers, and optionally the answer the workspace
// expects and tags to slice results by. Content is plain text only (no
// parts, no tool calls) so every candidate model can take it as is.
type Item struct {
	Messages  []chat.Message    `json:"messages"`
	Reference string            `json:"reference,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"`
}

// Reject codes: one per way a line can be wrong. They are stable, so a client
// can act on them; a Reject's Message explains the code and never quotes the
// line.
const (
	CodeLineTooLong      = "line_too_long"
	CodeInvalidUTF8      = "invalid_utf8"
	CodeNotJSON          = "not_json"
	CodeNotObject        = "not_object"
	CodeUnknownField     = "unknown_field"
	CodeMissingMessages  = "missing_messages"
	CodeTooManyMessages  = "too_many_messages"
	CodeBadMessage       = "bad_message"
	CodeBadRole          = "bad_role"
	CodeContentNotString = "content_not_string"
	CodeLastNotUser      = "last_not_user"
	CodeBadReference     = "reference_not_string"
	CodeBadTags          = "bad_tags"
	CodeTooManyTags      = "too_many_tags"
	CodeTagTooLong       = "tag_too_long"
	CodeCredential       = "credential_detected"
)

// Reject is one refused line: its 1-based number, a stable code and a
// message that describes the problem without any of the line's text.
type Reject struct {
	Line    int    `json:"line"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// problem is a reject before it has a line number.
type problem struct{ code, msg string }

func fail(code, format string, args ...any) *problem {
	return &problem{code: code, msg: fmt.Sprintf(format, args...)}
}

// roles a dataset message may have. Tool turns are refused: an item carries
// no tool definitions, so no candidate could be asked to continue one.
var roles = map[string]bool{chat.RoleSystem: true, chat.RoleUser: true, chat.RoleAssistant: true}

// check validates what Parse and Store.Put both require of an item, so an
// item built in code meets the same rules as one uploaded.
func (it Item) check(lim Limits) *problem {
	if len(it.Messages) == 0 {
		return fail(CodeMissingMessages, "messages must be a non-empty array")
	}
	if len(it.Messages) > lim.Messages {
		return fail(CodeTooManyMessages, "an item may have at most %d messages", lim.Messages)
	}
	for i, m := range it.Messages {
		if !roles[m.Role] {
			return fail(CodeBadRole, "messages[%d]: role must be system, user or assistant", i)
		}
		if m.Content.IsParts || m.Content.IsNull {
			return fail(CodeContentNotString, "messages[%d]: content must be a string", i)
		}
		if m.Name != "" || len(m.ToolCalls) > 0 || m.ToolCallID != "" || m.Refusal != "" {
			return fail(CodeUnknownField, "messages[%d]: only role and content are allowed", i)
		}
	}
	if it.Messages[len(it.Messages)-1].Role != chat.RoleUser {
		return fail(CodeLastNotUser, "the last message must be from the user")
	}
	if len(it.Tags) > lim.Tags {
		return fail(CodeTooManyTags, "an item may have at most %d tags", lim.Tags)
	}
	for k, v := range it.Tags {
		if k == "" {
			return fail(CodeBadTags, "a tag key must not be empty")
		}
		if len(k) > lim.TagKeyBytes || len(v) > lim.TagValueBytes {
			return fail(CodeTagTooLong, "tag keys are limited to %d bytes and values to %d", lim.TagKeyBytes, lim.TagValueBytes)
		}
	}
	return it.credential()
}

// credential refuses an item holding a credential shape in any of its text.
func (it Item) credential() *problem {
	const msg = "the item holds a credential-shaped value; remove it and upload again"
	for i, m := range it.Messages {
		if scrub.Contains(m.Content.Text) {
			return fail(CodeCredential, "messages[%d]: %s", i, msg)
		}
	}
	if scrub.Contains(it.Reference) {
		return fail(CodeCredential, "reference: %s", msg)
	}
	for k, v := range it.Tags {
		// k=v as well, so a keyword-anchored shape (api_key=...) split
		// between a tag's key and value is still found.
		if scrub.Contains(k) || scrub.Contains(v) || scrub.Contains(k+"="+v) {
			return fail(CodeCredential, "tags: %s", msg)
		}
	}
	return nil
}
