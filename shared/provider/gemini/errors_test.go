package gemini

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

func TestStatusErrors(t *testing.T) {
	quota := `{"error": {"code": 429, "message": "You exceeded your current quota, please check your plan and billing details.", "status": "RESOURCE_EXHAUSTED",
		"details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests"}]},
			{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}]}}`
	cases := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		wantType  string
		wantMsg   string
		wantRetry time.Duration
		retryable bool
	}{
		{"429 with Retry-After", 429, http.Header{"Retry-After": {"12"}}, quota, "RESOURCE_EXHAUSTED", "You exceeded your current quota", 12 * time.Second, true},
		{"429 with RetryInfo only", 429, nil, quota, "RESOURCE_EXHAUSTED", "You exceeded your current quota", 37 * time.Second, true},
		{"429 without delay", 429, nil, `{"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}}`, "RESOURCE_EXHAUSTED", "Resource has been exhausted", 0, true},
		{"500 without Retry-After", 500, nil, `{"error": {"code": 500, "message": "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", "status": "INTERNAL"}}`, "INTERNAL", "An internal error has occurred", 0, true},
		{"500 with Retry-After", 500, http.Header{"Retry-After": {"3"}}, `{"error": {"code": 500, "message": "An internal error has occurred.", "status": "INTERNAL"}}`, "INTERNAL", "An internal error has occurred.", 3 * time.Second, true},
		{"503 with Retry-After", 503, http.Header{"Retry-After": {"30"}}, `{"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}`, "UNAVAILABLE", "The model is overloaded.", 30 * time.Second, true},
		{"503 without Retry-After", 503, nil, `{"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}`, "UNAVAILABLE", "The model is overloaded.", 0, true},
		{"503 as an array", 503, nil, `[{"error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}}]`, "UNAVAILABLE", "The service is currently unavailable.", 0, true},
		{"502 from a proxy", 502, nil, `<html><body>Bad Gateway</body></html>`, "", "<html><body>Bad Gateway</body></html>", 0, true},
		{"401 echoing the key", 401, nil, `{"error": {"code": 401, "message": "API key ` + testKey + ` is invalid (key ending ...4a1f8b).", "status": "UNAUTHENTICATED"}}`, "UNAUTHENTICATED", "API key [redacted] is invalid (key ending ...4a1f8b).", 0, false},
		{"400 invalid key", 400, nil, `{"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
			"details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}}`, "INVALID_ARGUMENT", "API key not valid.", 0, false},
		{"long message truncated", 400, nil, `{"error": {"code": 400, "message": "` + strings.Repeat("é", 400) + `", "status": "INVALID_ARGUMENT"}}`, "INVALID_ARGUMENT", "éé", 0, false},
	}
	for _, c := range cases {
		for _, streaming := range []bool{false, true} {
			name := c.name + "/complete"
			if streaming {
				name = c.name + "/stream"
			}
			t.Run(name, func(t *testing.T) {
				p, call, _ := serve(t, jsonHandler(c.status, c.header, []byte(c.body)))
				var err error
				if streaming {
					_, err = p.Stream(context.Background(), call)
				} else {
					_, err = p.Complete(context.Background(), call)
				}
				pe, ok := provider.AsError(err)
				if !ok {
					t.Fatalf("got %v, want *provider.Error", err)
				}
				if pe.Provider != Name || pe.StatusCode != c.status || pe.Type != c.wantType || pe.RetryAfter != c.wantRetry || pe.Retryable() != c.retryable {
					t.Errorf("got %#v", pe)
				}
				if !strings.HasPrefix(pe.Message, c.wantMsg) || len(pe.Message) > maxMessage {
					t.Errorf("message %q (%d bytes), want prefix %q", pe.Message, len(pe.Message), c.wantMsg)
				}
				if strings.Contains(pe.Message, testKey) || strings.Contains(err.Error(), testKey) {
					t.Errorf("the key leaked into the error: %v", err)
				}
			})
		}
	}
}

func TestUnreachableUpstream(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	p := New(srv.Client())
	_, err := p.Complete(context.Background(), &provider.Call{
		Request:    &chat.Request{Model: "gemini-2.5-flash"},
		Credential: provider.Credential{APIKey: testKey},
		Endpoint:   provider.Endpoint{BaseURL: base},
	})
	pe, ok := provider.AsError(err)
	if !ok || pe.StatusCode != 0 || pe.Timeout || pe.Err == nil || !pe.Retryable() {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(err.Error(), "v1beta") || strings.Contains(err.Error(), testKey) {
		t.Errorf("error names the request URL or key: %v", err)
	}
}

func TestClean(t *testing.T) {
	cases := []struct{ in, key, want string }{
		{"plain", "k", "plain"},
		{"has secret-key inside", "secret-key", "has [redacted] inside"},
		{"no key configured", "", "no key configured"},
		{strings.Repeat("a", 600), "", strings.Repeat("a", maxMessage)},
		{strings.Repeat("a", 511) + "é", "", strings.Repeat("a", 511)},
	}
	for _, c := range cases {
		if got := clean(c.in, c.key); got != c.want {
			t.Errorf("clean(%.20q) = %.20q (%d bytes)", c.in, got, len(got))
		}
	}
}
