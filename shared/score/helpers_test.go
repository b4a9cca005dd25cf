package score

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/outbound"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
	"github.com/tollgate-dev/tollgate/shared/provider/openai"
)

// providerCompleter is the adapter the eval worker's Completer stands in
// for: it makes a provider.Call the way the gateway does, with a credential
// and an endpoint, and records every request it sends.
type providerCompleter struct {
	p        provider.Provider
	endpoint provider.Endpoint
	cred     provider.Credential

	mu   sync.Mutex
	sent []*chat.Request
}

func (c *providerCompleter) Complete(ctx context.Context, req *chat.Request) (*chat.Response, error) {
	c.mu.Lock()
	c.sent = append(c.sent, req)
	c.mu.Unlock()
	return c.p.Complete(ctx, &provider.Call{Request: req, Credential: c.cred, Endpoint: c.endpoint})
}

func (c *providerCompleter) requests() []*chat.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*chat.Request(nil), c.sent...)
}

// mockCompleter wraps the real built-in mock provider.
func mockCompleter(t *testing.T, opts mock.Options) *providerCompleter {
	t.Helper()
	m, err := mock.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &providerCompleter{p: m}
}

// judgeFunc answers one judge request on the loopback upstream: the content
// of the assistant message and its finish reason.
type judgeFunc func(t *testing.T, req *chat.Request) (content, finish string)

// loopbackKey is a fake key the loopback upstream requires.
const loopbackKey = "sk-loopback-test"

// loopbackCompleter serves answer as an OpenAI-compatible upstream on
// loopback and reaches it through the real openai adapter and the real
// outbound client, allowed to dial exactly that loopback address.
func loopbackCompleter(t *testing.T, answer judgeFunc) *providerCompleter {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer "+loopbackKey {
			http.Error(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`, http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read request: %v", err)
			return
		}
		var req chat.Request
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("decode request: %v", err)
			return
		}
		content, finish := answer(t, &req)
		resp := chat.Response{
			ID: "chatcmpl-loop", Object: "chat.completion", Created: 1735689600, Model: req.Model,
			Choices: []chat.Choice{{Message: chat.Message{Role: chat.RoleAssistant, Content: chat.TextContent(content)}, FinishReason: finish}},
			Usage:   &chat.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15},
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(resp); err != nil {
			t.Errorf("encode response: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	client := outbound.New(outbound.Config{AllowLoopback: []string{u.Host}}).HTTPClient()
	return &providerCompleter{
		p:        openai.New(client, openai.Options{Name: "loop"}),
		endpoint: provider.Endpoint{BaseURL: srv.URL + "/v1"},
		cred:     provider.Credential{APIKey: loopbackKey},
	}
}

// fixed answers every judge request with content and finish reason "stop".
func fixed(content string) judgeFunc {
	return func(*testing.T, *chat.Request) (string, string) { return content, chat.FinishStop }
}

// wantCode fails unless err carries the Tollgate code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("got untyped error %v, want %s", err, code)
	}
	if ae.Code != code {
		t.Fatalf("got code %s (%v), want %s", ae.Code, err, code)
	}
}

// userText returns the judge request's user message.
func userText(req *chat.Request) string {
	for _, m := range req.Messages {
		if m.Role == chat.RoleUser {
			return m.Content.String()
		}
	}
	return ""
}

// item is a one-question evaluation item.
func item(question, reference string) Item {
	return Item{Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent(question)}}, Reference: reference}
}
