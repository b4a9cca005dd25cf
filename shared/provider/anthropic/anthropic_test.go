package anthropic

import (
	"bytes"
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

func TestCompleteSendsTheDocumentedRequest(t *testing.T) {
	srv := newUpstream(t, serve(http.StatusOK, fixture(t, "response_tool_use.json"), "Content-Type", "application/json"))
	p, call := newProvider(srv)
	if err := json.Unmarshal(fixture(t, "requests/tools.json"), call.Request); err != nil {
		t.Fatal(err)
	}
	resp, err := p.Complete(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "response_tool_use.golden.json", resp)

	reqs := srv.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v1/messages" || r.RawQuery != "" {
		t.Errorf("%s %s?%s", r.Method, r.Path, r.RawQuery)
	}
	if strings.Contains(r.URL, testKey) {
		t.Error("the API key is in the URL")
	}
	h := r.Header
	if h.Get("X-Api-Key") != testKey || h.Get("Anthropic-Version") != "2023-06-01" ||
		h.Get("Content-Type") != "application/json" || h.Get("Authorization") != "" {
		t.Errorf("headers %v", h)
	}
	var got bytes.Buffer
	if err := json.Indent(&got, r.Body, "", "  "); err != nil {
		t.Fatal(err)
	}
	got.WriteByte('\n')
	if want := fixture(t, "requests/tools.golden.json"); !bytes.Equal(got.Bytes(), want) {
		t.Errorf("wire body differs from the golden file:\n%s", got.Bytes())
	}
}

func TestCompleteBaseURLWithV1(t *testing.T) {
	srv := newUpstream(t, serve(http.StatusOK, fixture(t, "response_text.json")))
	p, call := newProvider(srv)
	call.Endpoint.BaseURL = srv.URL + "/v1/"
	if _, err := p.Complete(context.Background(), call); err != nil {
		t.Fatal(err)
	}
	if path := srv.requests()[0].Path; path != "/v1/messages" {
		t.Fatalf("path %q", path)
	}
}

func TestInvalidRequestNeverReachesUpstream(t *testing.T) {
	srv := newUpstream(t, serve(http.StatusOK, fixture(t, "response_text.json")))
	p, call := newProvider(srv)
	n := 2
	call.Request.N = &n
	_, err := p.Complete(context.Background(), call)
	ae := apperr.As(err)
	if ae.Kind != apperr.Invalid || ae.Code != "unsupported_parameter" || ae.Param != "n" {
		t.Fatalf("Complete: %v", err)
	}
	if _, err := p.Stream(context.Background(), call); apperr.As(err).Param != "n" {
		t.Fatalf("Stream: %v", err)
	}
	if len(srv.requests()) != 0 {
		t.Fatal("an invalid request was sent upstream")
	}
}

func TestUpstreamErrors(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		body       string // fixture name
		header     []string
		typ        string
		message    string
		retryAfter time.Duration
		retryable  bool
	}{
		{"429 with retry-after", 429, "error_rate_limit.json", []string{"retry-after", "7"}, "rate_limit_error",
			"This request would exceed the rate limit for your organization of 50 output tokens per minute.", 7 * time.Second, true},
		{"429 without retry-after", 429, "error_rate_limit.json", nil, "rate_limit_error",
			"This request would exceed the rate limit for your organization of 50 output tokens per minute.", 0, true},
		{"500 with retry-after", 500, "error_api.json", []string{"Retry-After", "3"}, "api_error", "Internal server error", 3 * time.Second, true},
		{"500 without retry-after", 500, "error_api.json", nil, "api_error", "Internal server error", 0, true},
		{"503 html with retry-after", 503, "error_unavailable.html", []string{"Retry-After", "20"}, "api_error", "Service Unavailable", 20 * time.Second, true},
		{"503 html without retry-after", 503, "error_unavailable.html", nil, "api_error", "Service Unavailable", 0, true},
		{"529 overloaded", 529, "error_overloaded.json", []string{"retry-after", "1"}, "overloaded_error", "Overloaded", time.Second, true},
		{"529 overloaded without retry-after", 529, "error_overloaded.json", nil, "overloaded_error", "Overloaded", 0, true},
		{"401", 401, "error_authentication.json", nil, "authentication_error",
			"invalid x-api-key: sk-ant-api03-leak...XyZ9 is not a valid key", 0, false},
	}
	for _, c := range cases {
		for _, streamed := range []bool{false, true} {
			name := c.name + map[bool]string{false: "/complete", true: "/stream"}[streamed]
			t.Run(name, func(t *testing.T) {
				srv := newUpstream(t, serve(c.status, fixture(t, c.body), append([]string{"Content-Type", "application/json"}, c.header...)...))
				p, call := newProvider(srv)
				var err error
				if streamed {
					var s provider.Stream
					s, err = p.Stream(context.Background(), call)
					if s != nil {
						t.Fatal("stream returned alongside an error")
					}
				} else {
					_, err = p.Complete(context.Background(), call)
				}
				pe := providerError(t, err)
				if pe.StatusCode != c.status || pe.Type != c.typ || pe.Message != c.message ||
					pe.RetryAfter != c.retryAfter || pe.Retryable() != c.retryable || pe.Timeout {
					t.Fatalf("got %+v", pe)
				}
				if strings.Contains(err.Error(), testKey) || strings.Contains(pe.Message, testKey) {
					t.Fatalf("error contains the API key: %v", err)
				}
				if strings.Contains(err.Error(), srv.URL) {
					t.Fatalf("error names the upstream address: %v", err)
				}
			})
		}
	}
}

func TestUpstreamErrorMessageIsTruncated(t *testing.T) {
	long := strings.Repeat("é", 600)
	body, _ := json.Marshal(ErrorResponse{Type: "error", Error: ErrorDetail{Type: "invalid_request_error", Message: long}})
	srv := newUpstream(t, serve(http.StatusBadRequest, body))
	p, call := newProvider(srv)
	_, err := p.Complete(context.Background(), call)
	pe := providerError(t, err)
	if len(pe.Message) > 512 || !strings.HasPrefix(long, pe.Message) || pe.Retryable() {
		t.Fatalf("message of %d bytes, retryable %v", len(pe.Message), pe.Retryable())
	}
}

func TestCompleteBadBodies(t *testing.T) {
	huge := bytes.Repeat([]byte(" "), maxResponseBody+1)
	cases := []struct {
		name string
		body []byte
		typ  string
	}{
		{"malformed json", []byte(`{"id":"msg_1","content":[`), "invalid_response"},
		{"too large", huge, "response_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newUpstream(t, serve(http.StatusOK, c.body))
			p, call := newProvider(srv)
			_, err := p.Complete(context.Background(), call)
			pe := providerError(t, err)
			if pe.StatusCode != http.StatusOK || pe.Type != c.typ || pe.Retryable() {
				t.Fatalf("got %+v", pe)
			}
		})
	}
}

func TestCompleteSlowFirstByte(t *testing.T) {
	srv := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	p, call := newProvider(srv)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := p.Complete(ctx, call)
	if pe := providerError(t, err); !pe.Timeout || !pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
}

func TestUnreachableUpstream(t *testing.T) {
	srv := newUpstream(t, serve(http.StatusOK, nil))
	p, call := newProvider(srv)
	srv.Close() // nothing listens on the address any more
	_, err := p.Complete(context.Background(), call)
	pe := providerError(t, err)
	if pe.StatusCode != 0 || pe.Err == nil || pe.Timeout || !pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
	if strings.Contains(err.Error(), "/v1/messages") {
		t.Fatalf("error names the request URL: %v", err)
	}
}

func TestCompleteText(t *testing.T) {
	srv := newUpstream(t, serve(http.StatusOK, fixture(t, "response_text.json")))
	p, call := newProvider(srv)
	resp, err := p.Complete(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content.Text != "Hi! My name is Claude. How can I help?" ||
		resp.Choices[0].FinishReason != chat.FinishStop || resp.Created != testTime.Unix() {
		t.Fatalf("got %+v", resp)
	}
	if r := srv.requests()[0]; r.Header.Get("Accept") != "application/json" || bytes.Contains(r.Body, []byte(`"stream"`)) {
		t.Fatalf("accept %q body %s", r.Header.Get("Accept"), r.Body)
	}
}
