package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// defaultTimeout is the deadline an invocation gets when the invoker's
// context has none: Lambda's maximum function timeout.
const defaultTimeout = 15 * time.Minute

// ErrIncomplete is what Invocation.Err returns while the response is still
// arriving: the function's error, if any, comes in trailers after the body.
var ErrIncomplete = errors.New("lambdaruntime: response not fully received")

// Invocation is one invocation's answer as the function posts it.
type Invocation struct {
	RequestID   string // Lambda-Runtime-Aws-Request-Id
	ContentType string // of the response, e.g. application/vnd.awslambda.http-integration-response
	// Body is the response as it arrives: each Read returns bytes from at
	// most one read of the function's POST, so chunk boundaries show. Up to
	// 16 MiB is held for a slow reader; past that the function waits, as
	// Lambda applies back-pressure. Closing it before the end cuts the
	// function's POST short.
	Body io.ReadCloser

	mu      sync.Mutex
	settled bool
	err     error
}

// Err is the function's error — from POST .../error, or from the
// Lambda-Runtime-Function-Error-* trailers of a response stream — as a
// *FunctionError, or a transport error if the stream broke. It is nil for a
// clean response and ErrIncomplete until Body has reached its end.
func (inv *Invocation) Err() error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if !inv.settled {
		return ErrIncomplete
	}
	return inv.err
}

// settle records the outcome once; later calls are ignored.
func (inv *Invocation) settle(err error) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if !inv.settled {
		inv.settled, inv.err = true, err
	}
}

func (inv *Invocation) isSettled() bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.settled
}

// responseBody is Invocation.Body for a streamed response.
type responseBody struct {
	queue *chunkQueue
	conn  net.Conn // the function's POST connection
	inv   *Invocation
}

func (b *responseBody) Read(p []byte) (int, error) { return b.queue.Read(p) }

// Close stops delivery. If the function is still sending, its connection is
// closed so that its POST fails, as when Lambda stops reading; a Go runtime
// client notices at its next write.
func (b *responseBody) Close() error {
	b.queue.drop()
	if !b.inv.isSettled() && b.conn != nil {
		_ = b.conn.Close()
	}
	return nil
}

// pending is an event from Invoke until its answer is delivered. answered is
// guarded by Server.mu; the rest by mu.
type pending struct {
	id       string
	traceID  string
	payload  []byte
	deadline time.Time
	started  chan *Invocation // buffered: one delivery never blocks
	answered bool

	mu        sync.Mutex
	abandoned bool
	stream    *chunkQueue
}

// deliver hands inv to the waiting Invoke; false means Invoke gave up.
func (p *pending) deliver(inv *Invocation, stream *chunkQueue) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.abandoned {
		return false
	}
	p.stream = stream
	p.started <- inv
	return true
}

// abandon marks p as no longer awaited and closes what was already delivered.
func (p *pending) abandon() {
	p.mu.Lock()
	p.abandoned = true
	p.mu.Unlock()
	select {
	case inv := <-p.started:
		_ = inv.Body.Close()
	default:
	}
}

// abort ends a response stream in progress with err.
func (p *pending) abort(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stream != nil {
		p.stream.end(err)
	}
}

// Invoke queues payload as the next event and returns once the function
// starts answering it: as a stream from POST .../response, or with Err set
// from POST .../error. The invocation's deadline is ctx's, or 15 minutes.
func (s *Server) Invoke(ctx context.Context, payload []byte) (*Invocation, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultTimeout)
	}
	id, err := newRequestID()
	if err != nil {
		return nil, err
	}
	trace, err := newTraceID(time.Now())
	if err != nil {
		return nil, err
	}
	p := &pending{id: id, traceID: trace, payload: payload, deadline: deadline, started: make(chan *Invocation, 1)}
	s.track(p)

	select {
	case s.queue <- p:
	case <-ctx.Done():
		s.forget(p)
		return nil, fmt.Errorf("queue invocation: %w", ctx.Err())
	case <-s.closed:
		s.forget(p)
		return nil, ErrClosed
	case <-s.initFailed:
		s.forget(p)
		return nil, fmt.Errorf("queue invocation: function init: %w", s.initError())
	}

	select {
	case inv := <-p.started:
		return inv, nil
	case <-ctx.Done():
		p.abandon()
		return nil, fmt.Errorf("wait for response: %w", ctx.Err())
	case <-s.closed:
		p.abandon()
		return nil, ErrClosed
	}
}

func (s *Server) initError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initErr
}
