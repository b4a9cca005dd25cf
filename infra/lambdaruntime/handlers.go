package lambdaruntime

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
)

// maxErrorBytes bounds an error document; Lambda's own limit is far larger
// than any useful error, so this only guards the test process.
const maxErrorBytes = 1 << 20

// handleNext is the long poll for the next event.
func (s *Server) handleNext(w http.ResponseWriter, r *http.Request) {
	s.markReady()
	select {
	case p := <-s.queue:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", p.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(p.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", FunctionARN)
		h.Set("Lambda-Runtime-Trace-Id", p.traceID)
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(p.payload)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(p.payload)
	case <-r.Context().Done():
	case <-s.closed:
		writeAPIError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "runtime api is shutting down")
	}
}

// handleResponse relays the function's response body to the invoker as it
// arrives, then records the outcome its trailers carry.
func (s *Server) handleResponse(w http.ResponseWriter, r *http.Request) {
	p, ok := s.claim(r.PathValue("id"))
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or already answered request id")
		return
	}
	defer s.forget(p)

	q := newChunkQueue()
	inv := &Invocation{RequestID: p.id, ContentType: r.Header.Get("Content-Type")}
	conn, _ := r.Context().Value(connKey{}).(net.Conn)
	inv.Body = &responseBody{queue: q, conn: conn, inv: inv}
	if !p.deliver(inv, q) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeAccepted(w)
		return
	}
	if err := relay(q, r.Body); err != nil {
		inv.settle(err)
		q.end(err)
		return
	}
	inv.settle(trailerError(r.Trailer))
	q.end(nil)
	writeAccepted(w)
}

// relay hands each read of the function's POST to the invoker as one chunk.
func relay(dst *chunkQueue, src io.Reader) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if perr := dst.push(buf[:n]); perr != nil {
				return fmt.Errorf("deliver response chunk: %w", perr)
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read response stream: %w", err)
		}
	}
}

// handleInvocationError records an error the function reports instead of a
// response.
func (s *Server) handleInvocationError(w http.ResponseWriter, r *http.Request) {
	p, ok := s.claim(r.PathValue("id"))
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "unknown or already answered request id")
		return
	}
	defer s.forget(p)
	inv := &Invocation{RequestID: p.id, ContentType: r.Header.Get("Content-Type"), Body: http.NoBody}
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxErrorBytes))
	if err != nil {
		inv.settle(fmt.Errorf("read error document: %w", err))
		p.deliver(inv, nil)
		return
	}
	inv.settle(parseFunctionError(r.Header.Get(headerErrorType), payload))
	p.deliver(inv, nil)
	writeAccepted(w)
}

// handleInitError records that the function failed before its first poll.
func (s *Server) handleInitError(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxErrorBytes))
	if err != nil {
		s.failInit(fmt.Errorf("read init error document: %w", err))
		return
	}
	s.failInit(parseFunctionError(r.Header.Get(headerErrorType), payload))
	writeAccepted(w)
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// writeAPIError answers in the Runtime API's error shape.
func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{msg, typ})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
