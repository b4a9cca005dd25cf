package lambdahttp

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestPanicRecovery(t *testing.T) {
	const secret = "tgk_panicValueMustNotLeak0123456789abcdef"
	internal := `{"error":{"message":"internal error","type":"server_error","code":"internal_error"}}`
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantBody   string
		wantStream bool // the stream ends with an error instead of EOF
		wantLogged bool
	}{
		{
			name: "before headers: typed 500",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				w.Header().Set("Set-Cookie", "dropped=1")
				panic(secret)
			},
			wantStatus: http.StatusInternalServerError, wantBody: internal, wantLogged: true,
		},
		{
			name:       "panic with an error value before headers",
			handler:    func(w http.ResponseWriter, r *http.Request) { panic(errors.New(secret)) },
			wantStatus: http.StatusInternalServerError, wantBody: internal, wantLogged: true,
		},
		{
			name: "after headers: stream closed with an error",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				w.WriteHeader(http.StatusOK)
				_, _ = io.WriteString(w, "data: first\n\n")
				w.(http.Flusher).Flush()
				_, _ = io.WriteString(w, "data: unflushed\n\n")
				panic(secret)
			},
			wantStatus: http.StatusOK, wantBody: "data: first\n\n", wantStream: true, wantLogged: true,
		},
		{
			name: "ErrAbortHandler aborts quietly",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusOK)
				panic(http.ErrAbortHandler)
			},
			wantStatus: http.StatusOK, wantStream: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, logs := testLogger()
			p, body, err := invoke(t, Handler(tt.handler, Options{Logger: logger}), event("POST", "/v1/chat/completions"))
			if p.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", p.StatusCode, tt.wantStatus)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
			if tt.wantStream {
				var pe panicAfterStartError
				if !errors.As(err, &pe) {
					t.Errorf("stream error %v, want the generic panic error", err)
				}
			} else if err != nil {
				t.Errorf("read body: %v", err)
			}
			if tt.wantStatus == http.StatusInternalServerError {
				want := wirePrelude{StatusCode: 500, Headers: map[string]string{"content-type": "application/json"}}
				if !reflect.DeepEqual(p, want) {
					t.Errorf("prelude %+v, want %+v", p, want)
				}
			}
			for _, leak := range []string{secret, "goroutine", "panic_test.go"} {
				if strings.Contains(string(body), leak) || (err != nil && strings.Contains(err.Error(), leak)) {
					t.Errorf("response leaks %q", leak)
				}
			}
			logged := logs.String()
			if tt.wantLogged != strings.Contains(logged, "panic in http handler") {
				t.Fatalf("logged = %q", logged)
			}
			if tt.wantLogged && (!strings.Contains(logged, secret) || !strings.Contains(logged, "panic_test.go")) {
				t.Errorf("log lacks the panic value or its stack: %s", logged)
			}
		})
	}
}
