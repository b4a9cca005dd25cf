package lambdahttp

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// bufferSize bounds what a handler's writes may hold back before they reach
// the runtime without a Flush, as net/http's own response buffer does.
const bufferSize = 4 << 10

// prelude is the status line and headers as they were when the handler
// committed them; later changes to the header map are ignored, as in net/http.
type prelude struct {
	status  int
	headers map[string]string
	cookies []string
}

// responseWriter is the http.ResponseWriter a handler sees. Its body goes
// through a small buffer into an io.Pipe whose reader the runtime posts to
// the Runtime API; the pipe is synchronous, so a Flush returns once the
// runtime has taken the bytes. Like net/http's, it is not safe for concurrent
// use by several goroutines.
type responseWriter struct {
	header  http.Header
	pipe    *io.PipeWriter
	buf     *bufio.Writer
	head    bool         // HEAD: headers only, the body is discarded
	gone    *atomic.Bool // set when the runtime stopped reading
	started bool
	status  int
	ready   chan struct{} // closed once prelude is set
	prelude prelude
}

func newResponseWriter(pw *io.PipeWriter, head bool, gone *atomic.Bool) *responseWriter {
	return &responseWriter{
		header: make(http.Header),
		pipe:   pw,
		buf:    bufio.NewWriterSize(pw, bufferSize),
		head:   head,
		gone:   gone,
		ready:  make(chan struct{}),
	}
}

// Header returns the header map to fill before WriteHeader or Write.
func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader commits status and headers: Handler returns the response to
// the runtime at this moment. Informational (1xx) codes cannot be relayed
// through a Lambda stream and are ignored; a second call is ignored.
func (w *responseWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.started || code < 200 {
		return
	}
	w.commit(code)
}

// commit fixes the prelude and releases Handler. The prelude is built before
// anything is marked started, so a panic while building it still ends in a 500.
func (w *responseWriter) commit(code int) {
	headers, cookies := preludeHeaders(w.header)
	w.prelude = prelude{status: code, headers: headers, cookies: cookies}
	w.started = true
	w.status = code
	close(w.ready)
}

// Write commits a 200 if nothing was committed yet (sniffing the content
// type when none was set) and buffers p, sending the buffer on when it
// fills. It fails once the runtime has stopped reading.
func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.started {
		if _, ok := w.header["Content-Type"]; !ok && w.header.Get("Content-Encoding") == "" && len(p) > 0 {
			w.header.Set("Content-Type", http.DetectContentType(p))
		}
		w.commit(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.gone.Load() {
		return 0, fmt.Errorf("write response body: %w", ErrStreamClosed)
	}
	if w.head {
		return len(p), nil
	}
	n, err := w.buf.Write(p)
	if err != nil {
		return n, fmt.Errorf("write response body: %w", err)
	}
	return n, nil
}

// FlushError commits the headers if needed and hands every buffered byte to
// the runtime, returning once it has been read. http.ResponseController uses
// it, so a handler learns when the stream is gone.
func (w *responseWriter) FlushError() error {
	if !w.started {
		w.commit(http.StatusOK)
	}
	if w.gone.Load() {
		return fmt.Errorf("flush response: %w", ErrStreamClosed)
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("flush response: %w", err)
	}
	return nil
}

// Flush implements http.Flusher; use http.ResponseController to see errors.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// EnableFullDuplex lets http.ResponseController callers read the request
// body while writing: the body is already in memory, so it always succeeds.
func (w *responseWriter) EnableFullDuplex() error { return nil }

// finish ends a handler that returned normally: commit, flush, end of stream.
func (w *responseWriter) finish() {
	_ = w.FlushError()
	_ = w.pipe.Close()
}

// fail ends a handler that panicked. Before the prelude went out the client
// gets a typed 500; after, the stream is closed with an error so the runtime
// reports a function error and API Gateway cuts the response short.
func (w *responseWriter) fail() {
	if w.started {
		_ = w.pipe.CloseWithError(panicAfterStartError{})
		return
	}
	w.header = http.Header{"Content-Type": {"application/json"}}
	w.commit(http.StatusInternalServerError)
	_, _ = w.Write(errorBody(internalError()))
	w.finish()
}

// bodyAllowed reports whether a response with status may carry a body
// (RFC 9110 §6.4.1).
func bodyAllowed(status int) bool {
	switch {
	case status >= 100 && status <= 199:
		return false
	case status == http.StatusNoContent, status == http.StatusNotModified:
		return false
	}
	return true
}
