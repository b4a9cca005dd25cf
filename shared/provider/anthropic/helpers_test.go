package anthropic

import (
	"bytes"
	"encoding/json"
	"flag"
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

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testKey is the API key tests send; no error may ever contain it.
const testKey = "sk-ant-api03-TESTKEY-0123456789abcdef-XyZ9"

var testTime = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func fixedNow() time.Time { return testTime }

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkGolden compares got (indented JSON) with testdata/name, or rewrites
// the file under -update.
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

// recorded is what the test server saw of one request.
type recorded struct {
	Method, Path, RawQuery, URL string
	Header                      http.Header
	Body                        []byte
}

// upstream is a loopback Anthropic stand-in whose handler the test sets.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newUpstream(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.URL.String(), r.Header.Clone(), body})
		u.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requests() []recorded {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]recorded(nil), u.reqs...)
}

// serve answers with status, headers and body.
func serve(status int, body []byte, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		w.Write(body)
	}
}

// serveSSE answers 200 with an event stream written in pieces of at most
// step bytes, flushing after each, so events arrive split mid-line.
func serveSSE(body []byte, step int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		f := w.(http.Flusher)
		for len(body) > 0 {
			n := min(step, len(body))
			if _, err := w.Write(body[:n]); err != nil {
				return
			}
			f.Flush()
			body = body[n:]
		}
	}
}

func newProvider(srv *upstream) (*Provider, *provider.Call) {
	p := New(srv.Client(), Options{Now: fixedNow})
	call := &provider.Call{
		Request:    &chat.Request{Model: "claude-sonnet-4-5-20250929", Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("Hello")}}},
		Credential: provider.Credential{APIKey: testKey},
		Endpoint:   provider.Endpoint{BaseURL: srv.URL},
	}
	return p, call
}

// drain reads a stream to its end, returning the chunks and the final error.
func drain(s provider.Stream) ([]*chat.Chunk, error) {
	var out []*chat.Chunk
	for {
		c, err := s.Recv()
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
}

// providerError asserts that err is a *provider.Error and returns it.
func providerError(t *testing.T, err error) *provider.Error {
	t.Helper()
	pe, ok := provider.AsError(err)
	if !ok {
		t.Fatalf("want *provider.Error, got %T: %v", err, err)
	}
	if pe.Provider != Name {
		t.Errorf("provider %q", pe.Provider)
	}
	return pe
}
