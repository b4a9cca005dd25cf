package lambdahttp

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// ErrStreamClosed is why a handler's context is cancelled, and what its
// writes return, once the runtime stops reading the response (its POST to
// the Runtime API failed). Nobody will see further output, so the handler
// should stop upstream work.
var ErrStreamClosed = errors.New("lambdahttp: response stream closed by the runtime")

// panicAfterStartError ends a stream whose handler panicked after the prelude
// went out. Its type name is what the runtime reports as the function error
// type; its text is deliberately generic, never the panic value.
type panicAfterStartError struct{}

func (panicAfterStartError) Error() string { return "handler panicked after the response started" }

// errorJSON is the OpenAI-shaped error body, matching what the gateway's
// handlers answer so clients parse one format.
type errorJSON struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    string `json:"code"`
	} `json:"error"`
}

// internalError is the only thing a client learns about a panic.
func internalError() *apperr.Error {
	return apperr.New(apperr.Internal, "internal_error", "internal error")
}

// errorBody renders e's client-safe fields; the cause is never included.
func errorBody(e *apperr.Error) []byte {
	var body errorJSON
	body.Error.Message = e.Message
	body.Error.Code = e.Code
	body.Error.Type = "invalid_request_error"
	if e.Kind == apperr.Internal {
		body.Error.Type = "server_error"
	}
	b, _ := json.Marshal(body) // strings only: cannot fail
	return b
}

// errorResponse answers e without running a handler.
func errorResponse(e *apperr.Error) *events.LambdaFunctionURLStreamingResponse {
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: e.Kind.HTTPStatus(),
		Headers:    map[string]string{"content-type": "application/json"},
		Body:       bytes.NewReader(errorBody(e)),
	}
}
