package gateway

import (
	"net/http"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

// started remembers whether the answer's headers went out, so a panic
// after that ends the answer in its own format instead of appending a
// second status line and a JSON body to a half-sent stream.
type started struct {
	http.ResponseWriter
	wrote bool
}

func (s *started) WriteHeader(code int) {
	s.wrote = true
	s.ResponseWriter.WriteHeader(code)
}

func (s *started) Write(p []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(p)
}

// Flush keeps streaming working through the wrapper.
func (s *started) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *started) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// answerPanic ends a request whose handler panicked: a typed 500 when
// nothing was sent yet; an SSE error event when a stream had begun (the
// client's SDK reports it as an error); nothing more for a half-sent JSON
// body, whose truncation the client already sees as a failure.
func answerPanic(w *started) {
	e := apperr.New(apperr.Internal, "internal_error", "internal error")
	switch {
	case !w.wrote:
		openaierr.Write(w, e)
	case strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream"):
		_ = sse.WriteData(w, openaierr.Event(e))
		w.Flush()
	}
}
