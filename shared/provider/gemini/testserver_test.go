package gemini

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// testKey is the credential every test sends.
const testKey = "AIzaSyD-test-4f9c2a7b1e8d6c3f0a5b9e2d7c4a1f8b"

var testNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// seen is what the test server received.
type seen struct {
	mu   sync.Mutex
	reqs []seenRequest
}

type seenRequest struct {
	Method, Path, RawQuery, URL string
	Header                      http.Header
	Body                        []byte
}

func (s *seen) last(t *testing.T) seenRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("server received no request")
	}
	return s.reqs[len(s.reqs)-1]
}

// serve starts a loopback server running h and returns a Provider pointed
// at it through the call endpoint.
func serve(t *testing.T, h http.HandlerFunc) (*Provider, *provider.Call, *seen) {
	t.Helper()
	rec := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seenRequest{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			URL: r.URL.String(), Header: r.Header.Clone(), Body: body})
		rec.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	p := New(srv.Client(), WithClock(func() time.Time { return testNow }))
	call := &provider.Call{
		Request:    &chat.Request{Model: "gemini-2.5-flash", Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("hi")}}},
		Credential: provider.Credential{APIKey: testKey},
		Endpoint:   provider.Endpoint{BaseURL: srv.URL},
	}
	return p, call, rec
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonHandler answers with a status and a body.
func jsonHandler(status int, header http.Header, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(status)
		w.Write(body)
	}
}

// sseHandler streams data, flushing after every write of step bytes.
func sseHandler(data []byte, step int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		f := w.(http.Flusher)
		f.Flush()
		for i := 0; i < len(data); i += step {
			end := min(i+step, len(data))
			if _, err := w.Write(data[i:end]); err != nil {
				return
			}
			f.Flush()
		}
	}
}

// hijackHandler answers 200 with a chunked body holding data, then drops
// the connection without the terminating chunk.
func hijackHandler(data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
		fmt.Fprintf(buf, "%x\r\n%s\r\n", len(data), data)
		buf.Flush()
	}
}

// stallHandler never answers until the client gives up.
func stallHandler(w http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
}

// drain reads a stream to its end and returns the chunks and the error
// that ended it.
func drain(t *testing.T, s provider.Stream) ([]*chat.Chunk, error) {
	t.Helper()
	var out []*chat.Chunk
	for range 1000 {
		c, err := s.Recv()
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	t.Fatal("stream did not end")
	return nil, nil
}

// withTimeout returns a context that ends after d.
func withTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
