package trace_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

func msg(role, text string) chat.Message {
	return chat.Message{Role: role, Content: chat.TextContent(text)}
}

func TestDecodeText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plain string
		want  trace.Text
	}{
		{
			name:  "gateway",
			plain: `{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of France?"}],"output":"Paris."}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleSystem, "Be brief."), msg(chat.RoleUser, "Capital of France?")}, Output: "Paris."},
		},
		{
			name: "gateway, several turns",
			plain: `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},` +
				`{"role":"user","content":"and now?"}],"output":"now this"}`,
			want: trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "hi"), msg(chat.RoleAssistant, "hello"), msg(chat.RoleUser, "and now?")},
				Output: "now this"},
		},
		{
			name:  "gateway, content parts",
			plain: `{"messages":[{"role":"user","content":[{"type":"text","text":"describe"},{"type":"image_url","image_url":{"url":"https://x.test/a.png"}}]}],"output":"a cat"}`,
			want: trace.Text{Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.Content{IsParts: true, Parts: []chat.Part{
				{Type: "text", Text: "describe"}, {Type: "image_url", ImageURL: &chat.ImageURL{URL: "https://x.test/a.png"}},
			}}}}, Output: "a cat"},
		},
		{
			name:  "gateway, empty output",
			plain: `{"messages":[{"role":"user","content":"hi"}],"output":""}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "hi")}},
		},
		{
			name:  "ingest, string prompt",
			plain: `{"prompt":"What is 2+2?","response":"4"}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "What is 2+2?")}, Output: "4"},
		},
		{
			name:  "ingest, messages prompt",
			plain: `{"prompt":[{"role":"system","content":"Be brief."},{"role":"user","content":"2+2?"}],"response":"4"}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleSystem, "Be brief."), msg(chat.RoleUser, "2+2?")}, Output: "4"},
		},
		{
			name:  "ingest, no response",
			plain: `{"prompt":"What is 2+2?"}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "What is 2+2?")}},
		},
		{
			name:  "ingest, null response",
			plain: `{"prompt":"What is 2+2?","response":null}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "What is 2+2?")}},
		},
		{
			name:  "ingest, response not a string: no live answer",
			plain: `{"prompt":"What is 2+2?","response":{"choices":[{"text":"4"}]}}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "What is 2+2?")}},
		},
		{
			name:  "messages win over prompt",
			plain: `{"messages":[{"role":"user","content":"from the gateway"}],"prompt":"from ingestion","output":"a"}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "from the gateway")}, Output: "a"},
		},
		{
			name:  "empty messages fall back to prompt",
			plain: `{"messages":[],"prompt":"from ingestion","response":"b"}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "from ingestion")}, Output: "b"},
		},
		{
			name:  "output wins over response",
			plain: `{"messages":[{"role":"user","content":"q"}],"output":"gateway answer","response":"ingested answer"}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "q")}, Output: "gateway answer"},
		},
		{
			name:  "unicode text kept as is",
			plain: `{"prompt":"Quelle est la capitale ? \u00e9t\u00e9 ☀","response":"Paris ✓"}`,
			want:  trace.Text{Messages: []chat.Message{msg(chat.RoleUser, "Quelle est la capitale ? été ☀")}, Output: "Paris ✓"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := trace.DecodeText([]byte(tc.plain))
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decoded\n %#v\nwant\n %#v", got, tc.want)
			}
		})
	}
}

func TestDecodeTextRefusesUnusableContent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plain string
	}{
		{"empty", ``},
		{"not JSON", `hello`},
		{"truncated JSON", `{"messages":[{"role":"user","content":"hi"}`},
		{"JSON null", `null`},
		{"JSON array", `[{"role":"user","content":"hi"}]`},
		{"JSON string", `"hi"`},
		{"empty object", `{}`},
		{"only an output", `{"output":"an answer to nothing"}`},
		{"only a response", `{"response":"an answer to nothing"}`},
		{"no messages", `{"messages":[],"output":"x"}`},
		{"messages not a list", `{"messages":"hi","output":"x"}`},
		{"message content of a wrong type", `{"messages":[{"role":"user","content":42}]}`},
		{"output not a string", `{"messages":[{"role":"user","content":"hi"}],"output":42}`},
		{"last turn the assistant's", `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"output":"x"}`},
		{"last turn the system's", `{"messages":[{"role":"system","content":"Be brief."}],"output":"x"}`},
		{"last turn a tool's", `{"messages":[{"role":"user","content":"weather?"},{"role":"tool","tool_call_id":"c1","content":"sunny"}]}`},
		{"empty last user text", `{"messages":[{"role":"user","content":""}],"output":"x"}`},
		{"blank last user text", `{"messages":[{"role":"user","content":"  \n\t "}],"output":"x"}`},
		{"null last user content", `{"messages":[{"role":"user","content":null}],"output":"x"}`},
		{"last user turn only an image", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x.test/a.png"}}]}]}`},
		{"empty earlier turns do not help", `{"messages":[{"role":"user","content":"real question"},{"role":"user","content":" "}]}`},
		{"empty string prompt", `{"prompt":"","response":"x"}`},
		{"blank string prompt", `{"prompt":"   ","response":"x"}`},
		{"null prompt", `{"prompt":null,"response":"x"}`},
		{"number prompt", `{"prompt":42,"response":"x"}`},
		{"boolean prompt", `{"prompt":true,"response":"x"}`},
		{"object prompt", `{"prompt":{"text":"hi"},"response":"x"}`},
		{"empty list prompt", `{"prompt":[],"response":"x"}`},
		{"list of strings prompt", `{"prompt":["hi","there"],"response":"x"}`},
		{"prompt list ending with the assistant", `{"prompt":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"response":"x"}`},
		{"prompt list with an empty last user turn", `{"prompt":[{"role":"user","content":""}],"response":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := trace.DecodeText([]byte(tc.plain))
			if !errors.Is(err, trace.ErrUnusableContent) {
				t.Fatalf("error %v, want ErrUnusableContent", err)
			}
			if !reflect.DeepEqual(got, trace.Text{}) {
				t.Fatalf("refused content still decoded to %#v", got)
			}
		})
	}
}

// TestContent reads sealed content back from the store, and checks that
// content without a redaction date, due for redaction or redacted is gone.
func TestContent(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	now := day0.Add(time.Hour)
	st := trace.NewStore(stack.TableName, func() time.Time { return now })
	const sealed = "v1.dk_00000000000000000000.AAAA"
	redactAt := day0.Add(48 * time.Hour)

	kept := mk(org, 1, day0)
	kept.SealedContent, kept.RedactAt = sealed, redactAt.Unix()
	bare := mk(org, 2, day0.Add(time.Minute))
	undated := mk(org, 3, day0.Add(2*time.Minute)) // sealed text without a redaction date is not trusted
	undated.SealedContent = sealed
	for _, tr := range []*trace.Trace{kept, bare, undated} {
		if _, err := st.Record(ctx, sc.DynamoDB, tr, 90*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		name string
		now  time.Time
		id   string
		at   time.Time
		want string // "" means ErrNoContent
	}{
		{name: "kept", now: day0.Add(time.Hour), id: kept.ID, at: kept.Time, want: sealed},
		{name: "kept, a second before redaction", now: redactAt.Add(-time.Second), id: kept.ID, at: kept.Time, want: sealed},
		{name: "due for redaction", now: redactAt, id: kept.ID, at: kept.Time},
		{name: "past redaction", now: redactAt.Add(time.Hour), id: kept.ID, at: kept.Time},
		{name: "never opted in", now: day0.Add(time.Hour), id: bare.ID, at: bare.Time},
		{name: "no redaction date", now: day0.Add(time.Hour), id: undated.ID, at: undated.Time},
		{name: "unknown trace", now: day0.Add(time.Hour), id: "ev-99999", at: kept.Time},
		{name: "wrong time", now: day0.Add(time.Hour), id: kept.ID, at: kept.Time.Add(time.Nanosecond)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.now
			got, err := st.Content(ctx, sc.DynamoDB, org, tc.id, tc.at)
			if tc.want == "" {
				if !errors.Is(err, trace.ErrNoContent) || got != "" {
					t.Fatalf("content %q, error %v; want ErrNoContent", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("content %q, error %v; want %q", got, err, tc.want)
			}
		})
	}

	t.Run("redacted", func(t *testing.T) {
		if n, err := st.RedactDue(ctx, sc.DynamoDB, org, redactAt.Add(time.Second), 10); err != nil || n != 1 {
			t.Fatalf("redacted %d (%v), want 1", n, err)
		}
		now = day0.Add(time.Hour) // even by a clock before the redaction date
		if got, err := st.Content(ctx, sc.DynamoDB, org, kept.ID, kept.Time); !errors.Is(err, trace.ErrNoContent) {
			t.Fatalf("content %q, error %v after redaction; want ErrNoContent", got, err)
		}
	})
}
