package score

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

func TestParseVerdict(t *testing.T) {
	tests := []struct {
		name       string
		answer     string
		want       Verdict
		unparsable bool
	}{
		{name: "plain", answer: `{"score": 0.8, "reason": "mostly right"}`, want: Verdict{0.8, "mostly right"}},
		{name: "bounds low", answer: `{"score": 0, "reason": "wrong"}`, want: Verdict{0, "wrong"}},
		{name: "bounds high", answer: `{"score": 1, "reason": "right"}`, want: Verdict{1, "right"}},
		{name: "exponent", answer: `{"score": 5e-1, "reason": ""}`, want: Verdict{0.5, ""}},
		{name: "key order and spacing", answer: "\n{ \"reason\" : \"ok\" ,\n \"score\" : 0.25 }\n", want: Verdict{0.25, "ok"}},
		{name: "json fence", answer: "```json\n{\"score\": 0.9, \"reason\": \"good\"}\n```", want: Verdict{0.9, "good"}},
		{name: "bare fence", answer: "```\n{\"score\": 0.9, \"reason\": \"good\"}\n```", want: Verdict{0.9, "good"}},
		{name: "unicode reason", answer: `{"score": 1, "reason": "正确 ✓"}`, want: Verdict{1, "正确 ✓"}},
		{name: "prose", answer: "The response is good. Score: 0.8", unparsable: true},
		{name: "prose before JSON", answer: `Verdict: {"score": 0.8, "reason": "x"}`, unparsable: true},
		{name: "text after JSON", answer: `{"score": 0.8, "reason": "x"} Hope this helps!`, unparsable: true},
		{name: "two objects", answer: `{"score": 0.8, "reason": "x"}{"score": 0.1, "reason": "y"}`, unparsable: true},
		{name: "above range", answer: `{"score": 1.5, "reason": "x"}`, unparsable: true},
		{name: "below range", answer: `{"score": -0.1, "reason": "x"}`, unparsable: true},
		{name: "ten-point scale", answer: `{"score": 8, "reason": "x"}`, unparsable: true},
		{name: "huge number", answer: `{"score": 1e400, "reason": "x"}`, unparsable: true},
		{name: "score as string", answer: `{"score": "0.8", "reason": "x"}`, unparsable: true},
		{name: "score null", answer: `{"score": null, "reason": "x"}`, unparsable: true},
		{name: "missing score", answer: `{"reason": "x"}`, unparsable: true},
		{name: "missing reason", answer: `{"score": 0.5}`, unparsable: true},
		{name: "reason not a string", answer: `{"score": 0.5, "reason": 3}`, unparsable: true},
		{name: "extra field", answer: `{"score": 0.5, "reason": "x", "confidence": 0.9}`, unparsable: true},
		{name: "array", answer: `[0.5, "x"]`, unparsable: true},
		{name: "bare number", answer: `0.5`, unparsable: true},
		{name: "empty", answer: "", unparsable: true},
		{name: "empty fence", answer: "```json\n\n```", unparsable: true},
		{name: "truncated", answer: `{"score": 0.5, "rea`, unparsable: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseVerdict(tc.answer)
			if tc.unparsable {
				wantCode(t, err, CodeJudgeUnparseable)
				if k := apperr.KindOf(err); k != apperr.UpstreamFailed {
					t.Fatalf("kind %v, want upstream_failed", k)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseVerdict: %v", err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseVerdictErrorsDoNotQuoteTheAnswer(t *testing.T) {
	for _, answer := range []string{
		"privatedetail is what the judge said",
		`{"score": 0.5, "reason": "x", "privatedetail": 1}`,
		`{"score": 7, "reason": "privatedetail"}`,
	} {
		_, err := parseVerdict(answer)
		if err == nil || strings.Contains(err.Error(), "privatedetail") {
			t.Fatalf("error %v quotes the answer %q", err, answer)
		}
	}
}

func TestParseVerdictClipsReason(t *testing.T) {
	long := strings.Repeat("é", maxReasonBytes) // two bytes each
	v, err := parseVerdict(`{"score": 0.5, "reason": "` + long + `"}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Reason) > maxReasonBytes || !strings.HasPrefix(long, v.Reason) || len(v.Reason) < maxReasonBytes-1 {
		t.Fatalf("reason clipped to %d bytes, want a whole-rune prefix of at most %d", len(v.Reason), maxReasonBytes)
	}
}

func TestVerdictOfResponse(t *testing.T) {
	ok := `{"score": 0.5, "reason": "x"}`
	answer := func(content, finish string) *chat.Response {
		return &chat.Response{Choices: []chat.Choice{{
			Message:      chat.Message{Role: chat.RoleAssistant, Content: chat.TextContent(content)},
			FinishReason: finish,
		}}}
	}
	tool := answer("", chat.FinishToolCalls)
	tool.Choices[0].Message.ToolCalls = []chat.ToolCall{{ID: "c", Type: "function", Function: chat.FunctionCall{Name: "f", Arguments: "{}"}}}
	tests := []struct {
		name string
		resp *chat.Response
		ok   bool
	}{
		{"answer", answer(ok, chat.FinishStop), true},
		{"nil response", nil, false},
		{"no choices", &chat.Response{}, false},
		{"cut at the ceiling", answer(ok, chat.FinishLength), false},
		{"tool call", tool, false},
		{"null content", &chat.Response{Choices: []chat.Choice{{Message: chat.Message{Content: chat.Content{IsNull: true}}}}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := verdictOf(tc.resp)
			if tc.ok {
				if err != nil || v.Score != 0.5 {
					t.Fatalf("got %+v, %v", v, err)
				}
				return
			}
			wantCode(t, err, CodeJudgeUnparseable)
		})
	}
}
