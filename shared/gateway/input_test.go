package gateway_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// TestBadInputGetsTypedErrors: each bad request gets its OpenAI-style
// error and status, no provider is called and no reservation is left behind.
func TestBadInputGetsTypedErrors(t *testing.T) {
	e := newEnv(t)
	expired := auth.NewToken()
	e.issueToken(id.New(id.Token), expired, auth.AllScopes, time.Now().Add(-time.Minute), 0)
	ingestOnly := auth.NewToken()
	e.issueToken(id.New(id.Token), ingestOnly, []string{auth.ScopeIngest}, time.Now().Add(time.Hour), 0)
	ok := `{"model":"loop/mock-small","messages":[{"role":"user","content":"hi"}]}`
	cases := []struct {
		name   string
		body   string
		hdr    []string
		status int
		code   string
	}{
		{"no key", ok, []string{"Authorization", ""}, 401, "missing_api_key"},
		{"malformed key", ok, []string{"Authorization", "Bearer sk-not-ours"}, 401, "invalid_api_key"},
		{"unknown key", ok, []string{"Authorization", "Bearer " + auth.NewToken()}, 401, "invalid_api_key"},
		{"expired key", ok, []string{"Authorization", "Bearer " + expired}, 401, "expired_api_key"},
		{"wrong scope", ok, []string{"Authorization", "Bearer " + ingestOnly}, 403, "missing_scope"},
		{"malformed JSON", `{"model":`, nil, 400, "invalid_json"},
		{"empty body", ``, nil, 400, "invalid_json"},
		{"wrong type", `{"model":5,"messages":[]}`, nil, 400, "invalid_type"},
		{"content wrong type", `{"model":"mock/mock-small","messages":[{"role":"user","content":5}]}`, nil, 400, "invalid_json"},
		{"empty messages", `{"model":"mock/mock-small","messages":[]}`, nil, 400, "empty_messages"},
		{"missing model", `{"messages":[{"role":"user","content":"hi"}]}`, nil, 400, "missing_model"},
		{"unknown role", `{"model":"mock/mock-small","messages":[{"role":"wizard","content":"hi"}]}`, nil, 400, "invalid_role"},
		{"null user content", `{"model":"mock/mock-small","messages":[{"role":"user","content":null}]}`, nil, 400, "missing_content"},
		{"tool without id", `{"model":"mock/mock-small","messages":[{"role":"tool","content":"x"}]}`, nil, 400, "missing_tool_call_id"},
		{"n too large", `{"model":"mock/mock-small","n":99,"messages":[{"role":"user","content":"hi"}]}`, nil, 400, "invalid_n"},
		{"max_tokens zero", `{"model":"mock/mock-small","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}`, nil, 400, "invalid_max_tokens"},
		{"temperature", `{"model":"mock/mock-small","temperature":3,"messages":[{"role":"user","content":"hi"}]}`, nil, 400, "invalid_temperature"},
		{"stream_options without stream", `{"model":"mock/mock-small","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`, nil, 400, "invalid_stream_options"},
		{"bad content part", `{"model":"mock/mock-small","messages":[{"role":"user","content":[{"type":"video"}]}]}`, nil, 400, "invalid_content_part"},
		{"invalid UTF-8", "{\"model\":\"mock/mock-small\",\"messages\":[{\"role\":\"user\",\"content\":\"\xff\xfe\"}]}", nil, 400, "invalid_encoding"},
		{"unknown model", `{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}`, nil, 404, "model_not_found"},
		{"unknown connection", `{"model":"nowhere/gpt-4o","messages":[{"role":"user","content":"hi"}]}`, nil, 404, "model_not_found"},
		{"unpriced model", `{"model":"loop/my-finetune","messages":[{"role":"user","content":"hi"}]}`, nil, 400, "model_not_priced"},
		{"huge body", `{"model":"mock/mock-small","messages":[{"role":"user","content":"` + strings.Repeat("a", 5<<20) + `"}]}`, nil, 413, "request_too_large"},
	}
	before := upstreamCalls.Load()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := e.post(c.body, c.hdr...)
			got := decodeErr(t, resp)
			if resp.StatusCode != c.status || got.Error.Code != c.code {
				t.Fatalf("status %d code %q (%s), want %d %q", resp.StatusCode, got.Error.Code, got.Error.Message, c.status, c.code)
			}
			if got.Error.Type == "" || got.Error.Message == "" {
				t.Fatal("error lacks type or message")
			}
			if strings.Contains(got.Error.Message, "goroutine") || strings.Contains(got.Error.Message, ".go:") {
				t.Fatal("stack trace in error")
			}
		})
	}
	if upstreamCalls.Load() != before {
		t.Fatal("a bad request reached the provider")
	}
	if sp := e.settled(); sp.Reserved != 0 || sp.Spent != 0 {
		t.Fatalf("bad requests left spend or a reservation: %+v", sp)
	}
	resp := e.post(ok)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("good request after bad ones: %d", resp.StatusCode)
	}
	resp.Body.Close()
}
