package openai

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

func TestRequestOnTheWire(t *testing.T) {
	cases := []struct {
		name       string
		opts       Options
		base       string // appended to the server URL
		key        string
		apiVersion string
		stream     bool
		ctx        func(context.Context) context.Context
		wantPath   string
		wantQuery  string
		wantAuth   string
		wantAPIKey string
		wantBody   map[string]any
	}{
		{name: "openai complete", base: "/v1", key: testKey, wantPath: "/v1/chat/completions",
			wantAuth: "Bearer " + testKey, wantBody: map[string]any{"stream": nil, "stream_options": nil, "metadata": nil}},
		{name: "openai stream", base: "/v1/", key: testKey, stream: true, wantPath: "/v1/chat/completions",
			wantAuth: "Bearer " + testKey, wantBody: map[string]any{"stream": true, "stream_options": map[string]any{"include_usage": true}}},
		{name: "compatible server without key", opts: Options{Name: "ollama"}, base: "/v1", wantPath: "/v1/chat/completions"},
		{name: "metadata forwarded on request", base: "/v1", key: testKey, ctx: WithMetadata, wantPath: "/v1/chat/completions",
			wantAuth: "Bearer " + testKey, wantBody: map[string]any{"metadata": map[string]any{"team": "search"}}},
		{name: "azure default version", opts: Options{Flavor: FlavorAzure}, key: testKey,
			wantPath: "/openai/deployments/gpt-4o-mini/chat/completions", wantQuery: "api-version=" + DefaultAzureAPIVersion, wantAPIKey: testKey},
		{name: "azure stream with version", opts: Options{Flavor: FlavorAzure}, key: testKey, apiVersion: "2025-04-01-preview", stream: true,
			wantPath: "/openai/deployments/gpt-4o-mini/chat/completions", wantQuery: "api-version=2025-04-01-preview", wantAPIKey: testKey,
			wantBody: map[string]any{"stream_options": map[string]any{"include_usage": true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := fixture(t, "resp_text.json")
			header := http.Header{}
			if c.stream {
				body, header = fixture(t, "stream_openai.sse"), sseHeader
			}
			u := newUpstream(t, reply{header: header, body: body})
			p := New(u.Client(), c.opts)
			call := newCall(u.URL + c.base)
			call.Credential.APIKey = c.key
			call.Endpoint.APIVersion = c.apiVersion
			call.Request.Metadata = map[string]string{"team": "search"}
			ctx := context.Background()
			if c.ctx != nil {
				ctx = c.ctx(ctx)
			}
			if c.stream {
				s, err := p.Stream(ctx, call)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
			} else if _, err := p.Complete(ctx, call); err != nil {
				t.Fatal(err)
			}
			got := u.request()
			if got.method != http.MethodPost || got.path != c.wantPath || got.query != c.wantQuery {
				t.Errorf("request line: %s %s?%s", got.method, got.path, got.query)
			}
			if a := got.header.Get("Authorization"); a != c.wantAuth {
				t.Errorf("Authorization = %q, want %q", a, c.wantAuth)
			}
			if a := got.header.Get("api-key"); a != c.wantAPIKey {
				t.Errorf("api-key = %q, want %q", a, c.wantAPIKey)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if c.key != "" && strings.Contains(got.url, c.key) {
				t.Error("API key appears in the URL")
			}
			var sent map[string]any
			if err := json.Unmarshal(got.body, &sent); err != nil {
				t.Fatal(err)
			}
			if sent["model"] != "gpt-4o-mini" {
				t.Errorf("model = %v", sent["model"])
			}
			for k, want := range c.wantBody {
				gb, _ := json.Marshal(sent[k])
				wb, _ := json.Marshal(want)
				if string(gb) != string(wb) {
					t.Errorf("body %s = %s, want %s", k, gb, wb)
				}
			}
			if call.Request.Stream || call.Request.StreamOptions != nil {
				t.Error("the caller's request was modified")
			}
		})
	}
}

func TestEndpointErrorsDoNotQuoteTheURL(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		base string
		code string
	}{
		{"scheme", Options{}, "ftp://internal.example/v1", "invalid_base_url"},
		{"userinfo", Options{}, "https://user:hunter2@internal.example/v1", "invalid_base_url"},
		{"garbage", Options{}, "://internal.example", "invalid_base_url"},
		{"query", Options{}, "https://internal.example/v1?key=hunter2", "invalid_base_url"},
		{"azure without base", Options{Flavor: FlavorAzure}, "", "invalid_base_url"},
	}
	unused := newUpstream(t, reply{})
	for _, c := range cases {
		p := New(unused.Client(), c.opts)
		call := newCall(c.base)
		_, err := p.Complete(context.Background(), call)
		ae := apperr.As(err)
		if ae == nil || ae.Kind != apperr.Invalid || ae.Code != c.code {
			t.Fatalf("%s: got %v", c.name, err)
		}
		if strings.Contains(err.Error(), "internal.example") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error quotes the URL: %v", c.name, err)
		}
	}
}

func TestCompleteResponses(t *testing.T) {
	cases := []struct {
		fixture    string
		wantID     string
		wantModel  string
		wantText   string
		wantFinish string
		wantTool   string
		wantUsage  chat.Usage
	}{
		{"resp_text.json", "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "gpt-4.1-2025-04-14", "Hello! How can I assist you today?", chat.FinishStop, "",
			chat.Usage{PromptTokens: 19, CompletionTokens: 10, TotalTokens: 29}},
		{"resp_tool_calls.json", "chatcmpl-abc123", "gpt-4o-mini", "", chat.FinishToolCalls, "get_current_weather",
			chat.Usage{PromptTokens: 82, CompletionTokens: 17, TotalTokens: 99}},
		{"resp_reasoning_cached.json", "chatcmpl-BZsK1vV3nS7eW0qPk2LmTyH8aR4dX", "o3-mini-2025-01-31", "The proof proceeds by induction on n. For n = 1", chat.FinishLength, "",
			chat.Usage{PromptTokens: 2406, CompletionTokens: 1000, TotalTokens: 3406,
				PromptTokensDetails:     &chat.PromptTokensDetails{CachedTokens: 1920},
				CompletionTokensDetails: &chat.CompletionTokensDetails{ReasoningTokens: 960}}},
		{"resp_deepseek.json", "930c60df-bf64-41c9-a88e-3ec75f81e00e", "deepseek-chat", "Hello! How can I help you today?", chat.FinishStop, "",
			chat.Usage{PromptTokens: 1024, CompletionTokens: 10, TotalTokens: 1034, PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: 768}}},
		{"resp_content_filter.json", "chatcmpl-BZsN2pQ8wX1yT5uR7vK0mJ3hG6fD4", "gpt-4o-2024-11-20", "", chat.FinishContentFilter, "",
			chat.Usage{PromptTokens: 12, CompletionTokens: 31, TotalTokens: 43}},
		{"resp_groq.json", "chatcmpl-f51b2cd2-bef7-417e-964e-a08f0b513c22", "llama3-8b-8192", "Fast language models have gained significant attention in recent years.", chat.FinishStop, "",
			chat.Usage{PromptTokens: 18, CompletionTokens: 556, TotalTokens: 574}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			u := newUpstream(t, reply{body: fixture(t, c.fixture)})
			resp, err := New(u.Client(), Options{}).Complete(context.Background(), newCall(u.URL))
			if err != nil {
				t.Fatal(err)
			}
			if resp.ID != c.wantID || resp.Model != c.wantModel || resp.Object != "chat.completion" || len(resp.Choices) != 1 {
				t.Fatalf("response header: %+v", resp)
			}
			ch := resp.Choices[0]
			if ch.Message.Role != chat.RoleAssistant || ch.Message.Content.String() != c.wantText || ch.FinishReason != c.wantFinish {
				t.Errorf("choice: role %q text %q finish %q", ch.Message.Role, ch.Message.Content.String(), ch.FinishReason)
			}
			if c.wantTool != "" {
				if len(ch.Message.ToolCalls) != 1 || ch.Message.ToolCalls[0].Function.Name != c.wantTool || ch.Message.ToolCalls[0].ID == "" {
					t.Errorf("tool calls: %+v", ch.Message.ToolCalls)
				}
				if !ch.Message.Content.IsNull {
					t.Error("tool-call content should stay null")
				}
			}
			gb, _ := json.Marshal(resp.Usage)
			wb, _ := json.Marshal(c.wantUsage)
			if string(gb) != string(wb) {
				t.Errorf("usage %s, want %s", gb, wb)
			}
		})
	}
}

func TestCompleteBadBodies(t *testing.T) {
	cases := []struct {
		name     string
		fixture  string
		max      int64
		wantType string
	}{
		{"malformed JSON", "resp_malformed.json", MaxResponseBytes, typeInvalidResponse},
		{"no choices", "resp_no_choices.json", MaxResponseBytes, typeInvalidResponse},
		{"error body with 200", "resp_error_200.json", MaxResponseBytes, "overloaded"},
		{"too large", "resp_text.json", 100, typeResponseTooLarge},
	}
	for _, c := range cases {
		u := newUpstream(t, reply{body: fixture(t, c.fixture)})
		p := New(u.Client(), Options{})
		p.maxResponse = c.max
		_, err := p.Complete(context.Background(), newCall(u.URL))
		pe, ok := provider.AsError(err)
		if !ok || pe.StatusCode != http.StatusOK || pe.Type != c.wantType || pe.Provider != "openai" {
			t.Errorf("%s: got %#v", c.name, err)
		}
	}
}

// errorCases are upstream refusals that Complete and Stream must both report
// before any output.
var errorCases = []struct {
	name          string
	status        int
	header        http.Header
	fixture       string
	wantType      string
	wantMessage   string
	wantRetry     time.Duration
	wantRetryable bool
}{
	{"401 echoing the key", 401, nil, "err_401.json", "invalid_api_key", "Incorrect API key provided", 0, false},
	{"429 with Retry-After", 429, http.Header{"Retry-After": {"20"}}, "err_429.json", "rate_limit_exceeded", "Rate limit reached", 20 * time.Second, true},
	{"429 without Retry-After", 429, nil, "err_429.json", "rate_limit_exceeded", "Rate limit reached", 0, true},
	{"429 with retry-after-ms", 429, http.Header{"Retry-After": {"1"}, "Retry-After-Ms": {"223"}}, "err_429.json", "rate_limit_exceeded", "", 223 * time.Millisecond, true},
	{"429 quota", 429, nil, "err_429_quota.json", "insufficient_quota", "exceeded your current quota", 0, true},
	{"500 without Retry-After", 500, nil, "err_500.json", "server_error", "had an error", 0, true},
	{"500 with Retry-After", 500, http.Header{"Retry-After": {"3"}}, "err_500.json", "server_error", "had an error", 3 * time.Second, true},
	{"503 with Retry-After", 503, http.Header{"Retry-After": {"5"}}, "err_503.json", "server_error", "overloaded", 5 * time.Second, true},
	{"503 without Retry-After", 503, nil, "err_503.json", "server_error", "overloaded", 0, true},
	{"502 html from a proxy", 502, http.Header{"Content-Type": {"text/html"}}, "err_502.html", "", "Bad Gateway", 0, true},
	{"vllm flat error", 404, nil, "err_vllm_400.json", "NotFoundError", "does not exist", 0, false},
	{"azure content filter", 400, nil, "err_azure_400.json", "content_filter", "content management policy", 0, false},
}

func TestUpstreamErrors(t *testing.T) {
	for _, c := range errorCases {
		for _, streamed := range []bool{false, true} {
			u := newUpstream(t, reply{status: c.status, header: c.header, body: fixture(t, c.fixture)})
			p := New(u.Client(), Options{})
			var err error
			if streamed {
				_, err = p.Stream(context.Background(), newCall(u.URL))
			} else {
				_, err = p.Complete(context.Background(), newCall(u.URL))
			}
			pe, ok := provider.AsError(err)
			if !ok {
				t.Fatalf("%s (stream=%v): not a provider error: %v", c.name, streamed, err)
			}
			if pe.StatusCode != c.status || pe.Type != c.wantType || pe.RetryAfter != c.wantRetry || pe.Retryable() != c.wantRetryable || pe.Timeout {
				t.Errorf("%s (stream=%v): got %+v", c.name, streamed, pe)
			}
			if !strings.Contains(pe.Message, c.wantMessage) || len(pe.Message) > maxMessageBytes {
				t.Errorf("%s: message %q", c.name, pe.Message)
			}
			if strings.Contains(pe.Message, testKey) || strings.Contains(pe.Error(), testKey) {
				t.Errorf("%s: the configured key leaked into the error: %v", c.name, pe)
			}
		}
	}
}

func TestCleanMessage(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes
	got := cleanMessage(long, "")
	if len(got) > maxMessageBytes || !strings.HasPrefix(long, got) || len(got) != maxMessageBytes {
		t.Errorf("truncation: %d bytes", len(got))
	}
	got = cleanMessage("odd"+long, "") // runes now start at odd offsets
	if len(got) != maxMessageBytes-1 {
		t.Errorf("cut inside a rune: %d bytes", len(got))
	}
	if got := cleanMessage("bad key "+testKey+" given", testKey); got != "bad key [redacted] given" {
		t.Errorf("redaction: %q", got)
	}
}

func TestSlowFirstByteTimesOut(t *testing.T) {
	for _, streamed := range []bool{false, true} {
		u := newHandlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // never answers; the client gives up
		})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		p := New(u.Client(), Options{})
		var err error
		if streamed {
			_, err = p.Stream(ctx, newCall(u.URL))
		} else {
			_, err = p.Complete(ctx, newCall(u.URL))
		}
		cancel()
		pe, ok := provider.AsError(err)
		if !ok || !pe.Timeout || pe.StatusCode != 0 || !pe.Retryable() {
			t.Errorf("stream=%v: got %#v", streamed, err)
		}
		if strings.Contains(pe.Error(), u.URL) {
			t.Errorf("error names the upstream address: %v", pe)
		}
	}
}

func TestUnreachableUpstream(t *testing.T) {
	u := newUpstream(t, reply{})
	client := u.Client()
	base := u.URL
	u.Close()
	_, err := New(client, Options{Name: "groq"}).Complete(context.Background(), newCall(base))
	pe, ok := provider.AsError(err)
	if !ok || pe.StatusCode != 0 || pe.Timeout || pe.Err == nil || pe.Provider != "groq" {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(pe.Error(), testKey) {
		t.Error("key in error")
	}
}
