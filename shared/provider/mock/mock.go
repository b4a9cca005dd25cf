package mock

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// Name labels the mock's errors and traces.
const Name = "mock"

// Options configure a Mock. The zero value is a fast, fault-free mock.
type Options struct {
	// Models adds to or overrides BuiltinModels.
	Models map[string]Model
	// FirstByteDelay is the wait before a stream starts (and before a
	// non-streamed answer), as a real model's time to first token.
	FirstByteDelay time.Duration
	// ChunkDelay is the wait between streamed chunks; a non-streamed call
	// waits it once per chunk it would have streamed. 0 means none.
	ChunkDelay time.Duration
	// FailWith maps a model name to the HTTP status its calls fail with
	// before any output (429 and 503 carry a Retry-After of one second).
	FailWith map[string]int
	// FailMidStream maps a model name to the number of chunks its streams
	// deliver before an error event (OpenAI's mid-stream error shape).
	FailMidStream map[string]int
	// DropMidStream maps a model name to the number of chunks its streams
	// deliver before the connection drops without an end marker.
	DropMidStream map[string]int
	// APIKey, when set, is the key Handler requires (Bearer or api-key).
	// The in-memory provider does not check keys.
	APIKey string
	// Now is the clock for response timestamps; time.Now by default.
	Now func() time.Time
	// Regressions, when set, degrade models while the mock runs (errors,
	// latency, quality); the caller keeps the pointer to change them. Nil
	// means none.
	Regressions *Regressions
}

// injectedRetryAfter is the Retry-After of injected 429 and 503 failures.
const injectedRetryAfter = time.Second

// Mock is the deterministic in-memory provider. It is immutable after New,
// except through its Options.Regressions, and safe for concurrent use.
type Mock struct {
	opts   Options
	models map[string]Model
	now    func() time.Time
}

var _ provider.Provider = (*Mock)(nil)

// New returns a Mock, refusing options that could not behave as documented.
func New(opts Options) (*Mock, error) {
	models := BuiltinModels()
	for name, md := range opts.Models {
		if name == "" || !(md.Quality >= 0 && md.Quality <= 1) {
			return nil, fmt.Errorf("mock: model %q: quality must be within [0,1]", name)
		}
		models[name] = md
	}
	for name, status := range opts.FailWith {
		if status < 400 || status > 599 {
			return nil, fmt.Errorf("mock: model %q: injected status %d is not an error status", name, status)
		}
	}
	for name, n := range opts.FailMidStream {
		if n < 0 {
			return nil, fmt.Errorf("mock: model %q: FailMidStream must not be negative", name)
		}
	}
	for name, n := range opts.DropMidStream {
		if n < 0 {
			return nil, fmt.Errorf("mock: model %q: DropMidStream must not be negative", name)
		}
	}
	if opts.FirstByteDelay < 0 || opts.ChunkDelay < 0 {
		return nil, errors.New("mock: delays must not be negative")
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Mock{opts: opts, models: models, now: now}, nil
}

// Complete answers a non-streamed call after the delay the stream would take.
func (m *Mock) Complete(ctx context.Context, call *provider.Call) (*chat.Response, error) {
	g, err := m.start(call)
	if err != nil {
		return nil, err
	}
	streamed := chunkCount(g) - 1 // the chunks a stream would carry, less its usage chunk
	wait := m.firstByteDelay(call.Request.Model) + time.Duration(streamed)*m.opts.ChunkDelay
	if err := sleep(ctx, wait); err != nil {
		return nil, ctxError(ctx, 0)
	}
	return m.response(g, call.Request.Model), nil
}

// Stream starts a streamed call after FirstByteDelay (plus any regression's
// ExtraLatency). The stream always ends with a usage chunk, as the gateway
// asks every upstream for one.
func (m *Mock) Stream(ctx context.Context, call *provider.Call) (provider.Stream, error) {
	g, err := m.start(call)
	if err != nil {
		return nil, err
	}
	if err := sleep(ctx, m.firstByteDelay(call.Request.Model)); err != nil {
		return nil, ctxError(ctx, 0)
	}
	sctx, cancel := context.WithCancel(ctx)
	model := call.Request.Model
	return &stream{
		ctx:    sctx,
		cancel: cancel,
		chunks: m.chunks(g, newID(), m.now().UTC().Unix(), model, true),
		delay:  m.opts.ChunkDelay,
		failAt: faultAt(m.opts.FailMidStream, model),
		dropAt: faultAt(m.opts.DropMidStream, model),
	}, nil
}

// start applies injected failures (FailWith, then a regression's error
// rate) and generates the outcome.
func (m *Mock) start(call *provider.Call) (*generation, error) {
	if call == nil || call.Request == nil {
		return nil, errors.New("mock: call without a request")
	}
	if status, ok := m.opts.FailWith[call.Request.Model]; ok {
		return nil, injected(status)
	}
	if err := m.regressionFailure(call.Request); err != nil {
		return nil, err
	}
	return m.generate(call.Request)
}

// response renders a generation as a chat completion.
func (m *Mock) response(g *generation, model string) *chat.Response {
	usage := g.usage
	out := &chat.Response{
		ID:      newID(),
		Object:  "chat.completion",
		Created: m.now().UTC().Unix(),
		Model:   model,
		Choices: make([]chat.Choice, len(g.choices)),
		Usage:   &usage,
	}
	for i, c := range g.choices {
		msg := chat.Message{Role: chat.RoleAssistant, Content: chat.TextContent(c.text())}
		if c.tool != nil {
			msg.Content = chat.Content{IsNull: true}
			msg.ToolCalls = []chat.ToolCall{*c.tool}
		}
		out.Choices[i] = chat.Choice{Index: i, Message: msg, FinishReason: c.finish}
	}
	return out
}

// newID returns a fresh completion ID in OpenAI's format.
func newID() string { return "chatcmpl-" + id.New("") }

// faultAt returns the chunk index a fault fires at, or -1.
func faultAt(faults map[string]int, model string) int {
	if n, ok := faults[model]; ok {
		return n
	}
	return -1
}

// injected is the error FailWith configures, typed as OpenAI types it.
func injected(status int) *provider.Error {
	e := &provider.Error{Provider: Name, StatusCode: status, Type: errorCode(status), Message: "injected failure"}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		e.RetryAfter = injectedRetryAfter
	}
	return e
}

// errorCode is OpenAI's error code for a status.
func errorCode(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "invalid_api_key"
	case status == http.StatusNotFound:
		return "model_not_found"
	case status == http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

// ctxError reports a call abandoned by its context: a timeout when the
// deadline passed, else a cancellation.
func ctxError(ctx context.Context, status int) *provider.Error {
	e := &provider.Error{Provider: Name, StatusCode: status, Err: context.Cause(ctx)}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Timeout = true
	} else if status != 0 {
		e.Type = typeStreamInterrupted
		e.Message = "stream cancelled"
	}
	return e
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
