package lambdaruntime

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// runtimeClient speaks the Runtime API the way a function's runtime does,
// over real loopback HTTP.
type runtimeClient struct {
	base string
	http *http.Client
}

func newRuntimeClient(s *Server) *runtimeClient {
	return &runtimeClient{base: "http://" + s.Addr() + apiPrefix, http: &http.Client{}}
}

// next long-polls for an event.
func (c *runtimeClient) next(ctx context.Context) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/invocation/next", nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// post sends body to path (relative to the API prefix); a non-nil trailer is
// declared up front and sent after the body, as aws-lambda-go does.
func (c *runtimeClient) post(ctx context.Context, path string, body io.Reader, header, trailer http.Header) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, body)
	if err != nil {
		return 0, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Trailer = trailer
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func startServer(t testing.TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return s
}

// guard bounds a test that would otherwise hang on a bug; it asserts no timing.
func guard(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type invokeResult struct {
	inv *Invocation
	err error
}

// invokeAsync runs Invoke in the background, since it returns only once the
// function answers.
func invokeAsync(ctx context.Context, s *Server, payload []byte) <-chan invokeResult {
	ch := make(chan invokeResult, 1)
	go func() {
		inv, err := s.Invoke(ctx, payload)
		ch <- invokeResult{inv, err}
	}()
	return ch
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatalf("%s never happened", what)
	}
	var zero T
	return zero
}

func mustNext(t *testing.T, ctx context.Context, c *runtimeClient) (string, []byte) {
	t.Helper()
	resp, body, err := c.next(ctx)
	if err != nil {
		t.Fatalf("next: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("next: status %d: %s", resp.StatusCode, body)
	}
	return resp.Header.Get("Lambda-Runtime-Aws-Request-Id"), body
}

func responsePath(id string) string { return fmt.Sprintf("/invocation/%s/response", id) }
