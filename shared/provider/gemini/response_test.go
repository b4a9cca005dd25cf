package gemini

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

func TestCompleteConvertsResponses(t *testing.T) {
	cases := []struct {
		fixture string
		want    string // the chat.Response as JSON
	}{
		{"text.json", `{"id":"chatcmpl-mK3hZ8XyN4qD1MkP5Y2T8Qw","object":"chat.completion","created":1773480413,"model":"gemini-2.5-flash",
			"choices":[{"index":0,"message":{"role":"assistant","content":"Red, yellow and blue."},"finish_reason":"stop"}],
			"usage":{"prompt_tokens":2150,"completion_tokens":168,"total_tokens":2318,
				"prompt_tokens_details":{"cached_tokens":2048},"completion_tokens_details":{"reasoning_tokens":162}}}`},
		{"tool_calls.json", `{"id":"chatcmpl-Xv3hZ_2aJ4qD1MkPqZ2T8Qw","object":"chat.completion","created":1773480413,"model":"gemini-2.5-flash",
			"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
				{"id":"call_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}},
				{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
				"finish_reason":"tool_calls"}],
			"usage":{"prompt_tokens":84,"completion_tokens":30,"total_tokens":114}}`},
		{"max_tokens.json", `{"id":"chatcmpl-a1b2c3","object":"chat.completion","created":1773480413,"model":"gemini-2.5-flash-lite",
			"choices":[{"index":0,"message":{"role":"assistant","content":"The history of the Roman Empire begins"},"finish_reason":"length"}],
			"usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}}`},
		{"two_candidates.json", `{"id":"chatcmpl-multi-7","object":"chat.completion","created":1773480413,"model":"gemini-2.5-pro",
			"choices":[{"index":0,"message":{"role":"assistant","content":"The Matterhorn is 4,478 metres tall."},"finish_reason":"stop"},
				{"index":1,"message":{"role":"assistant","content":"4,478 m."},"finish_reason":"content_filter"}],
			"usage":{"prompt_tokens":40,"completion_tokens":19,"total_tokens":59}}`},
		{"blocked.json", `{"id":"chatcmpl-blk-1","object":"chat.completion","created":1773480413,"model":"gemini-2.5-flash",
			"choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}],
			"usage":{"prompt_tokens":31,"completion_tokens":0,"total_tokens":31}}`},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			p, call, rec := serve(t, jsonHandler(http.StatusOK, nil, fixture(t, "responses/"+c.fixture)))
			got, err := p.Complete(context.Background(), call)
			if err != nil {
				t.Fatal(err)
			}
			assertJSON(t, got, c.want)
			r := rec.last(t)
			if r.Method != http.MethodPost || r.Path != "/v1beta/models/gemini-2.5-flash:generateContent" || r.RawQuery != "" {
				t.Errorf("request went to %s %s?%s", r.Method, r.Path, r.RawQuery)
			}
			assertKeyOnlyInHeader(t, r)
		})
	}
}

func TestCompleteSendsConvertedBody(t *testing.T) {
	p, call, rec := serve(t, jsonHandler(http.StatusOK, nil, fixture(t, "responses/tool_calls.json")))
	var req chat.Request
	if err := json.Unmarshal(fixture(t, "requests/tools.json"), &req); err != nil {
		t.Fatal(err)
	}
	call.Request = &req
	if _, err := p.Complete(context.Background(), call); err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(rec.last(t).Body, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(fixture(t, "requests/tools.golden.json"), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("server received a different body:\n%s", rec.last(t).Body)
	}
	if ct := rec.last(t).Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
}

func TestCompleteRejectsBadBodies(t *testing.T) {
	huge := append([]byte(`{"candidates":[{"content":{"parts":[{"text":"`), strings.Repeat("a", MaxResponseSize)...)
	huge = append(huge, `"}]}}]}`...)
	cases := []struct {
		name, body, wantType string
	}{
		{"malformed", `{"candidates": [`, "invalid_response"},
		{"html", `<html>oops</html>`, "invalid_response"},
		{"no candidates", `{"usageMetadata":{"promptTokenCount":1}}`, "invalid_response"},
		{"too large", string(huge), "response_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, call, _ := serve(t, jsonHandler(http.StatusOK, nil, []byte(c.body)))
			_, err := p.Complete(context.Background(), call)
			pe, ok := provider.AsError(err)
			if !ok || pe.Type != c.wantType || pe.StatusCode != http.StatusOK || pe.Provider != Name {
				t.Fatalf("got %#v", err)
			}
		})
	}
}

func TestFinishReason(t *testing.T) {
	cases := []struct {
		reason   string
		hasCalls bool
		want     string
	}{
		{"STOP", false, chat.FinishStop},
		{"STOP", true, chat.FinishToolCalls},
		{"MAX_TOKENS", false, chat.FinishLength},
		{"MAX_TOKENS", true, chat.FinishLength},
		{"SAFETY", false, chat.FinishContentFilter},
		{"RECITATION", false, chat.FinishContentFilter},
		{"BLOCKLIST", false, chat.FinishContentFilter},
		{"PROHIBITED_CONTENT", false, chat.FinishContentFilter},
		{"SPII", false, chat.FinishContentFilter},
		{"IMAGE_SAFETY", false, chat.FinishContentFilter},
		{"OTHER", false, chat.FinishStop},
		{"MALFORMED_FUNCTION_CALL", false, chat.FinishStop},
		{"", false, ""},
	}
	for _, c := range cases {
		if got := finishReason(c.reason, c.hasCalls); got != c.want {
			t.Errorf("finishReason(%q, %v) = %q, want %q", c.reason, c.hasCalls, got, c.want)
		}
	}
}

func TestUsage(t *testing.T) {
	cases := []struct {
		in   usageMetadata
		want chat.Usage
	}{
		{usageMetadata{PromptTokenCount: 10, CandidatesTokenCount: 5, TotalTokenCount: 15}, chat.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15}},
		{usageMetadata{PromptTokenCount: 10, CandidatesTokenCount: 5}, chat.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15}},
		{usageMetadata{PromptTokenCount: 100, CandidatesTokenCount: 5, ThoughtsTokenCount: 20, CachedContentTokenCount: 64, ToolUsePromptTokenCount: 7, TotalTokenCount: 132},
			chat.Usage{PromptTokens: 107, CompletionTokens: 25, TotalTokens: 132,
				PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: 64}, CompletionTokensDetails: &chat.CompletionTokensDetails{ReasoningTokens: 20}}},
	}
	for _, c := range cases {
		if got := usage(&c.in); !reflect.DeepEqual(*got, c.want) {
			t.Errorf("usage(%+v) = %+v, want %+v", c.in, *got, c.want)
		}
	}
}

// assertJSON compares v's JSON with want, ignoring layout.
func assertJSON(t *testing.T, v any, want string) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatalf("bad want: %v", err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// assertKeyOnlyInHeader checks the key went in x-goog-api-key and nowhere
// in the URL.
func assertKeyOnlyInHeader(t *testing.T, r seenRequest) {
	t.Helper()
	if got := r.Header.Get("x-goog-api-key"); got != testKey {
		t.Errorf("x-goog-api-key = %q", got)
	}
	if strings.Contains(r.URL, testKey) || strings.Contains(r.RawQuery, "key=") {
		t.Errorf("key in URL: %s", r.URL)
	}
	if r.Header.Get("Authorization") != "" {
		t.Errorf("unexpected Authorization header")
	}
}
