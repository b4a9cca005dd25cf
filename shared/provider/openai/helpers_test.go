package openai

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// testKey is a fake key; err_401.json echoes it back, as a careless upstream might.
const testKey = "sk-test-FAKE0123456789abcdefSECRET"

// fixture reads a file from testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeMode is how a fake upstream sends its body.
type writeMode int

const (
	whole    writeMode = iota // one write
	bytewise                  // one byte per write, flushed, so events split anywhere
)

// reply is what a fake upstream answers.
type reply struct {
	status int
	header http.Header
	body   []byte
	mode   writeMode
}

// received is what a fake upstream saw.
type received struct {
	method string
	path   string
	query  string
	url    string
	header http.Header
	body   []byte
}

// upstream is a loopback server that records the last request it received.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	last received
}

func (u *upstream) request() received {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.last
}

// newUpstream serves r to every request.
func newUpstream(t testing.TB, r reply) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u.record(req)
		for k, v := range r.header {
			w.Header()[k] = v
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		status := r.status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		if r.mode == whole {
			w.Write(r.body)
			return
		}
		f := w.(http.Flusher)
		for i := range r.body {
			if _, err := w.Write(r.body[i : i+1]); err != nil {
				return
			}
			f.Flush()
		}
	}))
	t.Cleanup(u.Close)
	return u
}

// newHandlerUpstream serves h, recording each request first.
func newHandlerUpstream(t *testing.T, h http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u.record(req)
		h(w, req)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) record(req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	u.mu.Lock()
	u.last = received{
		method: req.Method,
		path:   req.URL.Path,
		query:  req.URL.RawQuery,
		url:    req.URL.String(),
		header: req.Header.Clone(),
		body:   body,
	}
	u.mu.Unlock()
}

// dropAfter answers 200 with a chunked SSE body, sends body[:n] and then
// closes the connection without the terminating chunk, as a dying upstream does.
func dropAfter(body []byte, n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
		cw := httputil.NewChunkedWriter(rw)
		cw.Write(body[:n])
		rw.Flush()
	}
}

// sseHeader is the header of a streaming success.
var sseHeader = http.Header{"Content-Type": {"text/event-stream"}}

// newCall is a small request against base.
func newCall(base string) *provider.Call {
	return &provider.Call{
		Request: &chat.Request{
			Model:    "gpt-4o-mini",
			Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("Hello")}},
		},
		Credential: provider.Credential{APIKey: testKey},
		Endpoint:   provider.Endpoint{BaseURL: base},
	}
}
