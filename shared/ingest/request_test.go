package ingest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/ingest"
)

// onlyReader hides a reader's length, so the client sends the body chunked
// with no Content-Length.
type onlyReader struct{ io.Reader }

// TestRequestRejections covers what refuses a whole request: each answer
// is typed, in the gateway's error shape, and nothing of it is stored.
func TestRequestRejections(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	inferenceOnly := auth.NewToken()
	e.issueToken(inferenceOnly, []string{auth.ScopeInference, auth.ScopeRead})

	body := func(events ...any) []byte {
		b, err := json.Marshal(map[string]any{"events": events})
		must(t, err)
		return b
	}
	many := make([]any, ingest.MaxBatchEvents+1)
	for i := range many {
		many[i] = ev(fmt.Sprintf("many-%d", i), now)
	}
	// A string padded past the limit inside an otherwise valid batch.
	huge := body(ev("huge-1", now, "feature", strings.Repeat("x", ingest.MaxBatchBytes)))
	badUTF8 := bytes.Replace(body(ev("utf8-1", now, "feature", "caf\u00e9")), []byte("caf\u00e9"), []byte("caf\xe9"), 1)
	spans := make([]string, ingest.MaxBatchEvents+1)
	for i := range spans {
		spans[i] = `{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}`
	}
	manySpans := `{"resourceSpans":[{"scopeSpans":[{"spans":[` + strings.Join(spans, ",") + `]}]}]}`

	cases := []struct {
		name   string
		method string
		path   string
		body   io.Reader
		hdr    []string
		status int
		code   string
	}{
		{"no key", "POST", "/v1/traces", bytes.NewReader(body(ev("a-1", now))), []string{"Authorization", ""}, 401, "missing_api_key"},
		{"unknown key", "POST", "/v1/traces", bytes.NewReader(body(ev("a-2", now))), []string{"Authorization", "Bearer " + auth.NewToken()}, 401, "invalid_api_key"},
		{"malformed key", "POST", "/v1/traces", bytes.NewReader(body(ev("a-3", now))), []string{"Authorization", "Bearer sk-not-ours"}, 401, "invalid_api_key"},
		{"no ingest scope", "POST", "/v1/traces", bytes.NewReader(body(ev("a-4", now))), []string{"Authorization", "Bearer " + inferenceOnly}, 403, "missing_scope"},
		{"no ingest scope otlp", "POST", "/v1/otlp/v1/traces", strings.NewReader(`{}`), []string{"Authorization", "Bearer " + inferenceOnly}, 403, "missing_scope"},
		{"declared too large", "POST", "/v1/traces", bytes.NewReader(huge), nil, 413, "batch_too_large"},
		{"chunked too large", "POST", "/v1/traces", onlyReader{bytes.NewReader(huge)}, nil, 413, "batch_too_large"},
		{"too many events", "POST", "/v1/traces", bytes.NewReader(body(many...)), nil, 413, "too_many_events"},
		{"too many spans", "POST", "/v1/otlp/v1/traces", strings.NewReader(manySpans), nil, 413, "too_many_spans"},
		{"invalid utf-8", "POST", "/v1/traces", bytes.NewReader(badUTF8), nil, 400, "invalid_utf8"},
		{"invalid utf-8 otlp", "POST", "/v1/otlp/v1/traces", strings.NewReader("{\"resourceSpans\":[],\"x\":\"\xff\"}"), nil, 400, "invalid_utf8"},
		{"not json", "POST", "/v1/traces", strings.NewReader(`{"events":[`), nil, 400, "invalid_body"},
		{"events not a list", "POST", "/v1/traces", strings.NewReader(`{"events":{}}`), nil, 400, "invalid_body"},
		{"unknown top-level field", "POST", "/v1/traces", strings.NewReader(`{"events":[],"batch":1}`), nil, 400, "invalid_body"},
		{"trailing data", "POST", "/v1/traces", strings.NewReader(`{"events":[]} {}`), nil, 400, "invalid_body"},
		{"no events", "POST", "/v1/traces", strings.NewReader(`{}`), nil, 400, "missing_events"},
		{"otlp not json", "POST", "/v1/otlp/v1/traces", strings.NewReader(`{"resourceSpans":`), nil, 400, "invalid_body"},
		{"otlp protobuf", "POST", "/v1/otlp/v1/traces", strings.NewReader("\x0a\x00"), []string{"Content-Type", "application/x-protobuf"}, 415, "unsupported_media_type"},
		{"form body", "POST", "/v1/traces", strings.NewReader(`a=b`), []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"gzip body", "POST", "/v1/traces", strings.NewReader(`{}`), []string{"Content-Encoding", "gzip"}, 415, "unsupported_media_type"},
		{"wrong method", "GET", "/v1/traces", nil, nil, 405, "method_not_allowed"},
		{"unknown route", "POST", "/v1/spans", strings.NewReader(`{}`), nil, 404, "unknown_route"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, e.srv.URL+c.path, c.body)
			must(t, err)
			req.Header.Set("Authorization", "Bearer "+e.token)
			req.Header.Set("Content-Type", "application/json")
			for i := 0; i+1 < len(c.hdr); i += 2 {
				if c.hdr[i+1] == "" {
					req.Header.Del(c.hdr[i])
				} else {
					req.Header.Set(c.hdr[i], c.hdr[i+1])
				}
			}
			resp, err := http.DefaultClient.Do(req)
			must(t, err)
			defer resp.Body.Close()
			var got struct {
				Error struct {
					Message string  `json:"message"`
					Type    string  `json:"type"`
					Param   *string `json:"param"`
					Code    string  `json:"code"`
				} `json:"error"`
			}
			raw, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("status %d, body %q: %v", resp.StatusCode, raw, err)
			}
			if resp.StatusCode != c.status || got.Error.Code != c.code || got.Error.Message == "" || got.Error.Type == "" {
				t.Fatalf("status %d %+v, want %d %s", resp.StatusCode, got.Error, c.status, c.code)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("content type %q", ct)
			}
		})
	}
	if n := len(e.list(now.Add(-time.Hour), now.Add(time.Hour))); n != 0 {
		t.Fatalf("%d traces stored from refused requests", n)
	}
	// Refused requests are logged by counts and codes, never by their keys.
	if strings.Contains(logs.String(), e.token) || strings.Contains(logs.String(), inferenceOnly) {
		t.Fatal("a token reached the log")
	}
}
