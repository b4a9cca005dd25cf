package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/lambdaruntime"
	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/infra/sqspoll"
	"github.com/tollgate-dev/tollgate/shared/api"
	"github.com/tollgate-dev/tollgate/shared/logging"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
)

var (
	stack     *localstack.Stack
	bootstrap string // the real evalworker binary, built as `make build` builds it (host architecture)
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "evalworker-test"}, func(s *localstack.Stack) error {
		stack = s
		var err error
		bootstrap, err = lambdaruntime.Build(".")
		return err
	})
}

const upstreamKey = "sk-loopback-upstream-0123456789abcdef"

// Queue timing of these tests: a message a worker stops extending comes
// back after visibility; an item a dead worker held is free after lease.
const (
	visibility = 2 * time.Second
	lease      = 2 * time.Second
)

// upstream is an OpenAI-compatible provider on loopback — the mock's
// handler, with gpt-4o answering correctly 95% of the time and gpt-4o-mini
// 60% — that counts the calls it gets and lets a test act on the n-th.
type upstream struct {
	*httptest.Server
	calls atomic.Int64
	mu    sync.Mutex
	hook  func(n int64, body string) (status int) // non-zero: answer with this status instead
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	m, err := mock.New(mock.Options{APIKey: upstreamKey, Models: map[string]mock.Model{
		"gpt-4o": {Quality: 0.95}, "gpt-4o-mini": {Quality: 0.6}, "gpt-4.1": {Quality: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n := u.calls.Add(1)
		u.mu.Lock()
		hook := u.hook
		u.mu.Unlock()
		if hook != nil {
			if status := hook(n, string(body)); status != 0 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				io.WriteString(w, `{"error":{"message":"injected failure","type":"server_error"}}`)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) setHook(h func(n int64, body string) int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.hook = h
}

func (u *upstream) host() string {
	p, _ := url.Parse(u.URL)
	return p.Host
}

// syncBuffer collects a process's or logger's output for the leak scans.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one org with the management API in front of it and workers on
// the eval queue: the system as deployed, with the real worker binary.
type env struct {
	t       *testing.T
	d       demo.Demo
	up      *upstream
	api     *httptest.Server
	apiLogs *syncBuffer
	workers []*worker
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	purge(t)
	e := &env{t: t, up: newUpstream(t), apiLogs: &syncBuffer{}}
	var err error
	if e.d, err = demo.Seed(ctx, stack); err != nil {
		t.Fatal(err)
	}
	role, err := stack.RoleConfig(ctx, "ApiFunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.Assemble(role, api.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
		RevocationDelay: time.Second, AllowLoopback: []string{e.up.host()},
		EvalQueueURL: stack.EvalQueueURL, MockEnabled: true,
	}, logging.New(e.apiLogs, slog.LevelDebug))
	if err != nil {
		t.Fatal(err)
	}
	e.api = httptest.NewServer(srv)
	t.Cleanup(e.api.Close)
	e.must(200, "PUT", "/keys/loop", fmt.Sprintf(`{"kind":"openai","api_key":%q,"base_url":%q}`, upstreamKey, e.up.URL+"/v1"))
	t.Cleanup(func() {
		for _, w := range e.workers {
			w.stop()
		}
	})
	return e
}

// purge empties the eval queue and its dead-letter queue, so a test sees
// only its own messages.
func purge(t *testing.T) {
	t.Helper()
	c := sqs.NewFromConfig(stack.OperatorConfig())
	for _, q := range []string{stack.EvalQueueURL, stack.EvalDLQURL} {
		if _, err := c.PurgeQueue(context.Background(), &sqs.PurgeQueueInput{QueueUrl: aws.String(q)}); err != nil {
			t.Fatal(err)
		}
	}
}

// do calls the management API as the demo org's owner.
func (e *env) do(method, path, body string) (int, string) {
	e.t.Helper()
	if strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "/api/") {
		path = "/api/v1/workspaces/" + e.d.Workspace + path
	}
	req, err := http.NewRequest(method, e.api.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.d.Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (e *env) must(status int, method, path, body string) string {
	e.t.Helper()
	got, b := e.do(method, path, body)
	if got != status {
		e.t.Fatalf("%s %s: %d %s", method, path, got, b)
	}
	return b
}

// dataset uploads n items; each asks for a code with its own marker in
// the text, so a leak of any item is found by the marker.
func (e *env) dataset(marker string, n int, poison ...int) string {
	e.t.Helper()
	bad := map[int]bool{}
	for _, i := range poison {
		bad[i] = true
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		q := fmt.Sprintf("%s item %d: which code opens door %d? Answer: CODE-%s-%d", marker, i, i, marker, i)
		if bad[i] {
			q = "POISON " + q
		}
		fmt.Fprintf(&b, `{"messages":[{"role":"user","content":%q}],"reference":"CODE-%s-%d"}`+"\n", q, marker, i)
	}
	body := e.must(201, "POST", "/datasets?name=codes", b.String())
	var meta struct{ ID string }
	if err := json.Unmarshal([]byte(body), &meta); err != nil || meta.ID == "" {
		e.t.Fatalf("dataset: %s", body)
	}
	return meta.ID
}

// run is the API's view of a run.
type run struct {
	ID            string `json:"id"`
	State         string `json:"state"`
	Items         int64  `json:"items"`
	Scored        int64  `json:"scored"`
	Errored       int64  `json:"errored"`
	DeadLettered  int64  `json:"dead_lettered"`
	SpentNano     int64  `json:"spent_nano"`
	CapNano       int64  `json:"cap_nano"`
	LiveSpentNano int64  `json:"live_spent_nano"`
	InFlightNano  int64  `json:"in_flight_nano"`
	History       []struct {
		To     string `json:"To"`
		Reason string `json:"Reason"`
	} `json:"history"`
}

func (e *env) start(body string) run {
	e.t.Helper()
	out := e.must(201, "POST", "/evals", body)
	var v struct{ Run run }
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Run.ID == "" {
		e.t.Fatalf("start: %s", out)
	}
	return v.Run
}

func (e *env) get(id string) run {
	e.t.Helper()
	var r run
	if err := json.Unmarshal([]byte(e.must(200, "GET", "/evals/"+id, "")), &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// wait polls the run until it reaches a final state.
func (e *env) wait(id string, within time.Duration) run {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for {
		r := e.get(id)
		switch r.State {
		case "completed", "cancelled", "aborted_by_cap", "failed":
			return r
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("run still %s after %s: %+v\n%s", r.State, within, r, e.workerLogs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// results are the run's items as the API lists them.
type results struct {
	Summary struct {
		Scored        int64   `json:"scored"`
		DeadLettered  int64   `json:"dead_lettered"`
		MeanBaseline  float64 `json:"mean_baseline"`
		MeanCandidate float64 `json:"mean_candidate"`
	} `json:"summary"`
	Items []struct {
		Index    int64  `json:"index"`
		CostNano int64  `json:"cost_nano"`
		Error    string `json:"error"`
		Dead     bool   `json:"dead_lettered"`
	} `json:"items"`
}

func (e *env) results(id string) results {
	e.t.Helper()
	var r results
	if err := json.Unmarshal([]byte(e.must(200, "GET", "/evals/"+id+"/results", "")), &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// worker is one evalworker bootstrap with the event source Lambda would
// give it: one SQS batch at a time, failures reported per message.
type worker struct {
	fn     *lambdaruntime.Function
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func (e *env) startWorker() *worker {
	e.t.Helper()
	ctx := context.Background()
	vars, err := stack.FunctionEnv(ctx, "evalworker", "EvalWorkerFunctionRole")
	if err != nil {
		e.t.Fatal(err)
	}
	vars = append(vars, "TOLLGATE_EVAL_QUEUE_URL="+stack.EvalQueueURL, "TOLLGATE_ENABLE_MOCK=true",
		"TOLLGATE_ALLOW_LOOPBACK="+e.up.host(), "TOLLGATE_LOG_LEVEL=DEBUG",
		"TOLLGATE_EVAL_VISIBILITY="+visibility.String(), "TOLLGATE_EVAL_LEASE="+lease.String(),
		"TOLLGATE_EVAL_MAX_RECEIVE=5", "TOLLGATE_EVAL_CALL_TIMEOUT=10s")
	fn, err := lambdaruntime.Run(bootstrap, vars)
	if err != nil {
		e.t.Fatal(err)
	}
	role, err := stack.RoleConfig(ctx, "EvalWorkerFunctionRole")
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := sqspoll.New(sqspoll.Config{
		Client: sqs.NewFromConfig(role), QueueURL: stack.EvalQueueURL, QueueARN: stack.Env.Physical["EvalQueue"].Attrs["Arn"],
		BatchSize: 1, Wait: 1, VisibilityTimeout: int32(visibility / time.Second),
		Invoker: sqspoll.InvokerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			inv, err := fn.Invoke(ctx, payload)
			if err != nil {
				return nil, err
			}
			body, err := io.ReadAll(inv.Body)
			if err != nil {
				return nil, err
			}
			return body, inv.Err()
		}),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	w := &worker{fn: fn, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		_ = p.Run(pctx)
	}()
	e.workers = append(e.workers, w)
	return w
}

// stop ends the worker's event source and kills its process, as Lambda
// does on a timeout: whatever it was doing is cut off.
func (w *worker) stop() {
	w.once.Do(func() {
		w.fn.Kill()
		w.cancel()
		<-w.done
	})
}

func (e *env) workerLogs() string {
	var b strings.Builder
	for _, w := range e.workers {
		b.WriteString(w.fn.Logs.String())
	}
	return b.String()
}

func spec(dataset string, capNano int64, extra string) string {
	return fmt.Sprintf(`{"baseline":"loop/gpt-4o","candidate":"loop/gpt-4o-mini","source":"dataset:%s",`+
		`"scorer":{"type":"normalized"},"max_output_tokens":64,"cap_nano":%d%s}`, dataset, capNano, extra)
}
