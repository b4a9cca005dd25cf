package lambdahttp

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestResponsePrelude(t *testing.T) {
	var sb strings.Builder
	for i := 0; sb.Len() < 3*bufferSize; i++ {
		fmt.Fprintf(&sb, "line %05d\n", i)
	}
	big := sb.String()
	tests := []struct {
		name     string
		method   string
		handler  http.HandlerFunc
		want     wirePrelude
		wantBody string
	}{
		{
			name: "status, joined headers and cookies",
			handler: func(w http.ResponseWriter, r *http.Request) {
				h := w.Header()
				h.Set("Content-Type", "application/json")
				h.Add("Vary", "Origin")
				h.Add("Vary", "Accept-Encoding")
				h.Add("Set-Cookie", "a=1; Path=/")
				h.Add("Set-Cookie", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT")
				h["x-lower"] = []string{"kept"}
				w.WriteHeader(http.StatusCreated)
				h.Set("X-Late", "ignored after WriteHeader")
				_, _ = io.WriteString(w, `{"ok":true}`)
			},
			want: wirePrelude{
				StatusCode: http.StatusCreated,
				Headers:    map[string]string{"content-type": "application/json", "vary": "Origin, Accept-Encoding", "x-lower": "kept"},
				Cookies:    []string{"a=1; Path=/", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT"},
			},
			wantBody: `{"ok":true}`,
		},
		{
			name:    "returning without writing is an empty 200",
			handler: func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Only", "1") },
			want:    wirePrelude{StatusCode: http.StatusOK, Headers: map[string]string{"x-only": "1"}},
		},
		{
			name:     "first write sniffs the content type",
			handler:  func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "<html><body>hi</body></html>") },
			want:     wirePrelude{StatusCode: http.StatusOK, Headers: map[string]string{"content-type": "text/html; charset=utf-8"}},
			wantBody: "<html><body>hi</body></html>",
		},
		{
			name: "hop-by-hop headers and trailers are dropped",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Connection", "close")
				w.Header().Set("Transfer-Encoding", "chunked")
				w.Header().Set("Trailer", "X-Sum")
				w.Header().Set(http.TrailerPrefix+"X-Sum", "1")
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, "ok")
			},
			want:     wirePrelude{StatusCode: http.StatusOK, Headers: map[string]string{"content-type": "text/plain"}},
			wantBody: "ok",
		},
		{
			name: "informational status is skipped",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				w.WriteHeader(http.StatusAccepted)
				w.WriteHeader(http.StatusTeapot)
			},
			want: wirePrelude{StatusCode: http.StatusAccepted, Headers: map[string]string{}},
		},
		{
			name: "no body allowed with 204",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNoContent)
				if _, err := io.WriteString(w, "dropped"); !errors.Is(err, http.ErrBodyNotAllowed) {
					t.Errorf("write after 204: %v", err)
				}
			},
			want: wirePrelude{StatusCode: http.StatusNoContent, Headers: map[string]string{}},
		},
		{
			name:   "HEAD keeps headers and drops the body",
			method: http.MethodHead,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				_, _ = io.WriteString(w, "dropped")
			},
			want: wirePrelude{StatusCode: http.StatusOK, Headers: map[string]string{"content-type": "text/plain"}},
		},
		{
			name: "bodies larger than the buffer arrive whole",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				for i := 0; i < len(big); i += 1000 {
					_, _ = io.WriteString(w, big[i:min(i+1000, len(big))])
				}
			},
			want:     wirePrelude{StatusCode: http.StatusOK, Headers: map[string]string{"content-type": "text/plain"}},
			wantBody: big,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			p, body, err := invoke(t, Handler(tt.handler, Options{}), event(method, "/x"))
			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			if p.Headers == nil {
				p.Headers = map[string]string{}
			}
			if !reflect.DeepEqual(p, tt.want) {
				t.Errorf("prelude\n got %+v\nwant %+v", p, tt.want)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
		})
	}
}
