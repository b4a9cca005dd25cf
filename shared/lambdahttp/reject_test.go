package lambdahttp

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestRejectedBeforeHandler(t *testing.T) {
	const limit = 16
	tests := []struct {
		name     string
		body     string
		base64   bool
		wantCode int
		wantBody string
	}{
		{
			name: "plain body over the limit", body: strings.Repeat("a", limit+1),
			wantCode: http.StatusRequestEntityTooLarge,
			wantBody: `{"error":{"message":"request body is larger than 16 bytes","type":"invalid_request_error","code":"request_too_large"}}`,
		},
		{
			name: "base64 body over the limit", body: base64.StdEncoding.EncodeToString(make([]byte, limit+1)), base64: true,
			wantCode: http.StatusRequestEntityTooLarge,
			wantBody: `{"error":{"message":"request body is larger than 16 bytes","type":"invalid_request_error","code":"request_too_large"}}`,
		},
		{
			// Not valid base64, yet 413: the size is checked before decoding.
			name: "oversized garbage is refused for size, not decoded", body: strings.Repeat("!", 4*limit), base64: true,
			wantCode: http.StatusRequestEntityTooLarge,
			wantBody: `{"error":{"message":"request body is larger than 16 bytes","type":"invalid_request_error","code":"request_too_large"}}`,
		},
		{
			name: "invalid base64", body: "not*base64", base64: true,
			wantCode: http.StatusBadRequest,
			wantBody: `{"error":{"message":"request body is not valid base64","type":"invalid_request_error","code":"invalid_body_encoding"}}`,
		},
		{
			name: "base64 body exactly at the limit", body: base64.StdEncoding.EncodeToString(make([]byte, limit)), base64: true,
			wantCode: http.StatusOK,
		},
		{
			name: "plain body exactly at the limit", body: strings.Repeat("a", limit),
			wantCode: http.StatusOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran atomic.Bool
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran.Store(true) })
			ev := event("POST", "/v1/chat/completions")
			ev.Body, ev.IsBase64Encoded = tt.body, tt.base64
			logger, _ := testLogger()
			p, body, err := invoke(t, Handler(h, Options{Logger: logger, MaxBodyBytes: limit}), ev)
			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			if p.StatusCode != tt.wantCode {
				t.Fatalf("status %d, want %d", p.StatusCode, tt.wantCode)
			}
			if ran.Load() != (tt.wantCode == http.StatusOK) {
				t.Fatalf("handler ran = %v for status %d", ran.Load(), tt.wantCode)
			}
			if tt.wantBody == "" {
				return
			}
			if string(body) != tt.wantBody {
				t.Errorf("body %s\nwant %s", body, tt.wantBody)
			}
			if ct := p.Headers["content-type"]; ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
		})
	}
}

func TestBase64DecodedLen(t *testing.T) {
	for n := range 10 {
		enc := base64.StdEncoding.EncodeToString(make([]byte, n))
		if got := base64DecodedLen(enc); got != int64(n) {
			t.Errorf("decoded length of %q = %d, want %d", enc, got, n)
		}
	}
}
