package trace

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// ContentPurpose is the secrets purpose of a trace's sealed text; the
// trace ID is its record, so sealed text opens only for its own trace.
const ContentPurpose = "trace-content"

// ErrNoContent means the trace holds no text (never opted in, or redacted).
var ErrNoContent = apperr.New(apperr.NotFound, "trace_content_gone", "the trace holds no content")

// Content returns the sealed text of trace id made at at, for the savings
// engine's evaluations of opted-in traffic. A redacted or expired trace is
// ErrNoContent.
func (st *Store) Content(ctx context.Context, db DB, org, id string, at time.Time) (string, error) {
	t := Trace{ID: id, Org: org, Time: at}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": s(t.PK()), "sk": s(t.SK())}})
	if err != nil {
		return "", unavailable("read trace content", err)
	}
	sealed, _ := out.Item["sealed_content"].(*types.AttributeValueMemberS)
	redact, _ := out.Item["redact_at"].(*types.AttributeValueMemberN)
	if sealed == nil || redact == nil {
		return "", ErrNoContent
	}
	if due, err := strconv.ParseInt(redact.Value, 10, 64); err != nil || due <= st.clock().Unix() {
		return "", ErrNoContent // due for redaction: as good as gone
	}
	return sealed.Value, nil
}

// Text is a trace's opened content as a conversation and its answer. The
// gateway seals {"messages", "output"}; ingestion seals what the client
// sent as {"prompt", "response"}, where a prompt is a string (one user
// turn) or a list of chat messages and a response a string.
type Text struct {
	Messages []chat.Message
	Output   string
}

// ErrUnusableContent means the content has no conversation ending in a
// user turn that a model could be asked again.
var ErrUnusableContent = apperr.New(apperr.Invalid, "trace_content_unusable", "the trace's content is not a chat conversation")

// DecodeText reads opened content of either shape.
func DecodeText(plain []byte) (Text, error) {
	var doc struct {
		Messages []chat.Message  `json:"messages"`
		Output   string          `json:"output"`
		Prompt   json.RawMessage `json:"prompt"`
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(plain, &doc); err != nil {
		return Text{}, ErrUnusableContent
	}
	t := Text{Messages: doc.Messages, Output: doc.Output}
	if len(t.Messages) == 0 && len(doc.Prompt) > 0 {
		var text string
		if json.Unmarshal(doc.Prompt, &text) == nil {
			t.Messages = []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent(text)}}
		} else if err := json.Unmarshal(doc.Prompt, &t.Messages); err != nil {
			return Text{}, ErrUnusableContent
		}
	}
	if t.Output == "" && len(doc.Response) > 0 {
		var text string
		if json.Unmarshal(doc.Response, &text) == nil {
			t.Output = text
		}
	}
	if len(t.Messages) == 0 || t.Messages[len(t.Messages)-1].Role != chat.RoleUser ||
		strings.TrimSpace(t.Messages[len(t.Messages)-1].Content.String()) == "" {
		return Text{}, ErrUnusableContent
	}
	return t, nil
}
