package lambdahttp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// wirePrelude is the JSON that precedes the eight NUL bytes.
type wirePrelude struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

// readPrelude reads the JSON prelude and the eight NUL bytes after it from
// the bytes the runtime would post.
func readPrelude(t *testing.T, r *bufio.Reader) wirePrelude {
	t.Helper()
	raw, err := r.ReadBytes(0)
	if err != nil {
		t.Fatalf("read prelude: %v (got %q)", err, raw)
	}
	nuls := make([]byte, 7)
	if _, err := io.ReadFull(r, nuls); err != nil {
		t.Fatalf("read prelude separator: %v", err)
	}
	if !bytes.Equal(nuls, make([]byte, 7)) {
		t.Fatalf("separator is %q, want 8 NUL bytes", append([]byte{0}, nuls...))
	}
	var p wirePrelude
	if err := json.Unmarshal(raw[:len(raw)-1], &p); err != nil {
		t.Fatalf("decode prelude %q: %v", raw, err)
	}
	return p
}

// invoke calls Handler as the runtime would and reads the whole response.
func invoke(t *testing.T, h func(context.Context, events.APIGatewayProxyRequest) (*events.LambdaFunctionURLStreamingResponse, error), ev events.APIGatewayProxyRequest) (wirePrelude, []byte, error) {
	t.Helper()
	resp, err := h(t.Context(), ev)
	if err != nil {
		t.Fatalf("handler error: %v", err)
	}
	defer resp.Close()
	if ct := resp.ContentType(); ct != "application/vnd.awslambda.http-integration-response" {
		t.Fatalf("content type %q", ct)
	}
	r := bufio.NewReader(resp)
	p := readPrelude(t, r)
	body, readErr := io.ReadAll(r)
	return p, body, readErr
}

// recv receives from ch, failing the test rather than hanging when a step
// never happens.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never happened", what)
	}
	var zero T
	return zero
}

// logBuffer collects JSON log lines written from handler goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger() (*slog.Logger, *logBuffer) {
	b := new(logBuffer)
	return slog.New(slog.NewJSONHandler(b, nil)), b
}

func event(method, path string) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{
		Resource:   "/{proxy+}",
		Path:       path,
		HTTPMethod: method,
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID:  "req-1",
			DomainName: "abc123.execute-api.us-east-1.amazonaws.com",
			Protocol:   "HTTP/1.1",
			Identity:   events.APIGatewayRequestIdentity{SourceIP: "203.0.113.9", UserAgent: "curl/8.5.0"},
		},
	}
}
