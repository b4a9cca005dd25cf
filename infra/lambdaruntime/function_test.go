package lambdaruntime

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The test function's three events, as testdata/streamfn writes them.
var wantEvents = []string{
	"data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Refunds\"}}]}\n\n",
	"data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" within 30 days.\"}}]}\n\n",
	"data: [DONE]\n\n",
}

const streamingContentType = "application/vnd.awslambda.http-integration-response"

// buildStreamFn compiles testdata/streamfn the way the Makefile builds
// functions, for this machine's OS and architecture.
func buildStreamFn(t testing.TB) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build the test function: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command(goTool, "build", "-tags", "lambda.norpc", "-trimpath", "-o", bin, "./testdata/streamfn")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build streamfn: %v\n%s", err, out)
	}
	return bin
}

// gate lets the test decide when the function may write each event: the
// function's GET /step/N returns only once the test has opened step N.
type gate struct {
	*httptest.Server
	mu     sync.Mutex
	steps  map[int]chan struct{}
	arrive chan int
}

func newGate(t *testing.T) *gate {
	g := &gate{steps: make(map[int]chan struct{}), arrive: make(chan int, 16)}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/step/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		g.arrive <- n
		select {
		case <-g.step(n):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() {
		for n := range 8 {
			g.open(n) // let any waiting handler go before closing
		}
		g.Close()
	})
	return g
}

func (g *gate) step(n int) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	ch, ok := g.steps[n]
	if !ok {
		ch = make(chan struct{})
		g.steps[n] = ch
	}
	return ch
}

func (g *gate) open(n int) {
	ch := g.step(n)
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// function is a running test function process.
type function struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{}
	err    error // from Wait, once exited is closed
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startFunction runs bin as Lambda would, against s. The process is killed
// and reaped when the test ends.
func startFunction(t testing.TB, bin string, s *Server, gateURL string) *function {
	t.Helper()
	f := &function{cmd: exec.Command(bin), stderr: new(lockedBuffer), exited: make(chan struct{})}
	f.cmd.Dir = filepath.Dir(bin)
	f.cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + s.Addr(),
		"_HANDLER=bootstrap",
		"AWS_LAMBDA_FUNCTION_NAME=local",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/local",
		"AWS_LAMBDA_LOG_STREAM_NAME=2025/04/09/[$LATEST]0123456789abcdef",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(bin),
		"TZ=:UTC",
		"STREAMFN_GATE_URL=" + gateURL,
	}
	f.cmd.Stdout = f.stderr
	f.cmd.Stderr = f.stderr
	if err := f.cmd.Start(); err != nil {
		t.Fatalf("start function: %v", err)
	}
	go func() {
		f.err = f.cmd.Wait()
		close(f.exited)
	}()
	t.Cleanup(f.stop)
	return f
}

// stop kills the process and waits until it has been reaped.
func (f *function) stop() {
	select {
	case <-f.exited:
		return
	default:
	}
	_ = f.cmd.Process.Kill()
	<-f.exited
}

// chatEvent is the API Gateway event for a streamed chat completion,
// optionally re-pointed at another path of the test function.
func chatEvent(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "gateway-chat-stream.json"))
	if err != nil {
		t.Fatal(err)
	}
	if path == "" {
		return raw
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	ev.Path, ev.Resource, ev.RequestContext.ResourcePath = path, path, path
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type wirePrelude struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

// readPrelude reads the integration response's JSON prelude and checks that
// exactly eight NUL bytes follow it (the ninth byte, if any, is not NUL).
func readPrelude(t *testing.T, r *bufio.Reader) wirePrelude {
	t.Helper()
	raw, err := r.ReadBytes(0)
	if err != nil {
		t.Fatalf("read prelude: %v (got %q)", err, raw)
	}
	sep := make([]byte, 7)
	if _, err := io.ReadFull(r, sep); err != nil || !bytes.Equal(sep, make([]byte, 7)) {
		t.Fatalf("separator after the prelude: %q, %v; want 8 NUL bytes", sep, err)
	}
	var p wirePrelude
	if err := json.Unmarshal(raw[:len(raw)-1], &p); err != nil {
		t.Fatalf("decode prelude %q: %v", raw, err)
	}
	return p
}

// readEvent reads one server-sent event through its blank line.
func readEvent(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil || line == "\n" {
			return b.String(), err
		}
	}
}

func TestStreamFunction(t *testing.T) {
	bin := buildStreamFn(t)
	var procs []*function
	run := func(name string, body func(t *testing.T, s *Server, g *gate, fn *function)) {
		t.Run(name, func(t *testing.T) {
			s := startServer(t)
			g := newGate(t)
			fn := startFunction(t, bin, s, g.URL)
			procs = append(procs, fn)
			if _, err := s.WaitReady(guard(t)); err != nil {
				t.Fatalf("function never polled: %v\n%s", err, fn.stderr)
			}
			body(t, s, g, fn)
		})
	}

	run("SSE events arrive one at a time", func(t *testing.T, s *Server, g *gate, fn *function) {
		ctx := guard(t)
		inv, err := s.Invoke(ctx, chatEvent(t, ""))
		if err != nil {
			t.Fatal(err)
		}
		defer inv.Body.Close()
		if inv.ContentType != streamingContentType {
			t.Fatalf("content type %q, want %q", inv.ContentType, streamingContentType)
		}
		r := bufio.NewReader(inv.Body)
		p := readPrelude(t, r)
		if p.StatusCode != http.StatusOK || p.Headers["content-type"] != "text/event-stream" {
			t.Fatalf("prelude %+v", p)
		}
		for i, want := range wantEvents {
			// The function is parked before event i; it can write event i
			// only after this step opens, which happens only after event
			// i-1 was read.
			if n := recv(t, g.arrive, fmt.Sprintf("function at step %d", i+1)); n != i+1 {
				t.Fatalf("function waits at step %d, want %d", n, i+1)
			}
			g.open(i + 1)
			got, err := readEvent(r)
			if err != nil || got != want {
				t.Fatalf("event %d = %q, %v; want %q", i+1, got, err, want)
			}
		}
		if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
			t.Fatalf("after the last event: %q, %v", rest, err)
		}
		if err := inv.Err(); err != nil {
			t.Fatalf("function error: %v", err)
		}
	})

	run("panic before headers answers a typed 500", func(t *testing.T, s *Server, g *gate, fn *function) {
		inv, err := s.Invoke(guard(t), chatEvent(t, "/v1/panic"))
		if err != nil {
			t.Fatal(err)
		}
		defer inv.Body.Close()
		r := bufio.NewReader(inv.Body)
		p := readPrelude(t, r)
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if p.StatusCode != http.StatusInternalServerError || p.Headers["content-type"] != "application/json" {
			t.Errorf("prelude %+v", p)
		}
		const want = `{"error":{"message":"internal error","type":"server_error","code":"internal_error"}}`
		if string(body) != want {
			t.Errorf("body %s, want %s", body, want)
		}
		if err := inv.Err(); err != nil {
			t.Errorf("a recovered panic is a response, not a function error: %v", err)
		}
		// The process survives the panic; stop it to read its complete log.
		select {
		case <-fn.exited:
			t.Fatalf("function exited after a recovered panic: %v", fn.err)
		default:
		}
		fn.stop()
		logs := fn.stderr.String()
		if !strings.Contains(logs, "panic in http handler") || !strings.Contains(logs, "goroutine ") {
			t.Errorf("log lacks the panic and its stack:\n%s", logs)
		}
	})

	run("panic after headers ends the stream with a function error", func(t *testing.T, s *Server, g *gate, fn *function) {
		inv, err := s.Invoke(guard(t), chatEvent(t, "/v1/panic-after-headers"))
		if err != nil {
			t.Fatal(err)
		}
		defer inv.Body.Close()
		r := bufio.NewReader(inv.Body)
		if p := readPrelude(t, r); p.StatusCode != http.StatusOK {
			t.Fatalf("prelude %+v", p)
		}
		body, err := io.ReadAll(r)
		if err != nil || string(body) != wantEvents[0] {
			t.Fatalf("body %q, %v; want only the first event", body, err)
		}
		var fe *FunctionError
		if !errors.As(inv.Err(), &fe) || fe.Type != "panicAfterStartError" {
			t.Fatalf("Err = %v, want the generic panic error", inv.Err())
		}
		if strings.Contains(string(fe.Payload), "goroutine") || strings.Contains(string(fe.Payload), "after the stream started") {
			t.Errorf("error trailer leaks the panic: %s", fe.Payload)
		}
	})

	run("closing the body fails the function's response", func(t *testing.T, s *Server, g *gate, fn *function) {
		inv, err := s.Invoke(guard(t), chatEvent(t, ""))
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(inv.Body)
		readPrelude(t, r)
		recv(t, g.arrive, "function at step 1")
		g.open(1)
		if got, err := readEvent(r); err != nil || got != wantEvents[0] {
			t.Fatalf("first event %q, %v", got, err)
		}
		if err := inv.Body.Close(); err != nil {
			t.Fatal(err)
		}
		// The runtime client notices at its next write; let the rest come.
		for n := 2; n <= len(wantEvents); n++ {
			g.open(n)
		}
		<-fn.exited
		var exit *exec.ExitError
		if !errors.As(fn.err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("function ended with %v, want exit status 1 after its failed POST\n%s", fn.err, fn.stderr)
		}
	})

	for i, fn := range procs {
		select {
		case <-fn.exited:
		default:
			t.Errorf("function %d is still running after its test", i)
		}
	}
}
