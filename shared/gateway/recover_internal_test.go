package gateway

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A panic before anything was sent is a typed 500; a panic mid-stream ends
// the stream with an SSE error event instead of a second status and a JSON
// body glued to the chunks.
func TestPanicAnswersInTheFormatAlreadyStarted(t *testing.T) {
	h := &Handler{cfg: Config{Logger: slog.New(slog.DiscardHandler)}, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("stream") == "1" {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"hel\"}}]}\n\n")
			w.(http.Flusher).Flush()
		}
		panic("bug")
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	res, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 500 || !strings.Contains(string(body), `"code":"internal_error"`) || strings.Contains(string(body), "bug") {
		t.Fatalf("before any output: %d %s", res.StatusCode, body)
	}

	res, err = http.Post(srv.URL+"/v1/chat/completions?stream=1", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	want := "data: {\"choices\":[{\"delta\":{\"content\":\"hel\"}}]}\n\ndata: {\"error\":"
	if res.StatusCode != 200 || !strings.HasPrefix(string(body), want) || !strings.HasSuffix(string(body), "\n\n") ||
		strings.Count(string(body), "internal_error") != 1 {
		t.Fatalf("mid-stream: %d %q", res.StatusCode, body)
	}
}
