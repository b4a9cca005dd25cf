package lambdaruntime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// apiPrefix is the Runtime API version this server speaks.
const apiPrefix = "/2018-06-01/runtime"

// FunctionARN is the ARN every invocation names in
// Lambda-Runtime-Invoked-Function-Arn: a fixed, obviously local account.
const FunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:local"

// ErrClosed is returned by calls on a Server after Close.
var ErrClosed = errors.New("lambdaruntime: server closed")

// Server is one function's Runtime API on a loopback port. Invoke, WaitReady
// and Close are safe for concurrent use.
type Server struct {
	ln       net.Listener
	srv      *http.Server
	served   chan error
	queue    chan *pending // unbuffered: an event leaves only when /next takes it
	closed   chan struct{}
	shutdown sync.Once

	mu         sync.Mutex
	inflight   map[string]*pending
	readyAt    time.Time
	ready      chan struct{} // closed at the first /next
	initErr    error
	initFailed chan struct{} // closed at the first /init/error
}

// connKey carries the connection a request arrived on, so an invoker that
// gives up can cut the function's response POST short.
type connKey struct{}

// Start listens on 127.0.0.1 on a free port and serves the Runtime API.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for runtime api: %w", err)
	}
	s := &Server{
		ln:         ln,
		served:     make(chan error, 1),
		queue:      make(chan *pending),
		closed:     make(chan struct{}),
		inflight:   make(map[string]*pending),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", s.handleNext)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", s.handleResponse)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", s.handleInvocationError)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", s.handleInitError)
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
	}
	go func() { s.served <- s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the host:port to put in AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// WaitReady blocks until the function first polls for an event and returns
// that instant, so a caller that noted when it started the process can
// measure cold-start init. It fails if the function reports an init error.
func (s *Server) WaitReady(ctx context.Context) (time.Time, error) {
	select {
	case <-s.ready:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.readyAt, nil
	case <-s.initFailed:
		s.mu.Lock()
		defer s.mu.Unlock()
		return time.Time{}, fmt.Errorf("function init: %w", s.initErr)
	case <-s.closed:
		return time.Time{}, ErrClosed
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("wait for first poll: %w", ctx.Err())
	}
}

// Close stops serving, ends pending long polls and response streams, and
// makes waiting calls return ErrClosed.
func (s *Server) Close() error {
	var err error
	s.shutdown.Do(func() {
		close(s.closed)
		err = s.srv.Close()
		<-s.served
		s.mu.Lock()
		for _, p := range s.inflight {
			p.abort(ErrClosed)
		}
		s.mu.Unlock()
	})
	if err != nil {
		return fmt.Errorf("close runtime api: %w", err)
	}
	return nil
}

func (s *Server) markReady() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readyAt.IsZero() {
		s.readyAt = time.Now()
		close(s.ready)
	}
}

func (s *Server) failInit(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.initErr == nil {
		s.initErr = err
		close(s.initFailed)
	}
}

// claim hands the invocation id to the one POST that answers it.
func (s *Server) claim(id string) (*pending, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.inflight[id]
	if !ok || p.answered {
		return nil, false
	}
	p.answered = true
	return p, true
}

func (s *Server) track(p *pending) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight[p.id] = p
}

func (s *Server) forget(p *pending) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inflight, p.id)
}
