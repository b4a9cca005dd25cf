package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/provider"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// maxMessage bounds an upstream error message kept in a *provider.Error.
const maxMessage = 512

// statusError reads a non-2xx response into a *provider.Error, keeping
// Anthropic's error type and (truncated) message and the Retry-After hint.
// A body that is not Anthropic's error JSON (a proxy's HTML page) yields the
// error type Anthropic documents for the status and the status text.
func statusError(resp *http.Response, now time.Time) *provider.Error {
	e := &provider.Error{
		Provider:   Name,
		StatusCode: resp.StatusCode,
		RetryAfter: provider.ParseRetryAfter(resp.Header, now),
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body ErrorResponse
	if err := json.Unmarshal(raw, &body); err == nil && body.Error.Type != "" {
		e.Type = body.Error.Type
		e.Message = truncate(body.Error.Message)
		return e
	}
	e.Type = typeForStatus(resp.StatusCode)
	e.Message = http.StatusText(resp.StatusCode)
	return e
}

// eventError converts a stream's error event. Its StatusCode is the HTTP
// status Anthropic documents for the error type, so a mid-stream
// overloaded_error is as retryable as a 529 answered up front.
func eventError(d *ErrorDetail) *provider.Error {
	if d == nil {
		d = &ErrorDetail{Type: "api_error"}
	}
	return &provider.Error{
		Provider:   Name,
		StatusCode: statusForType(d.Type),
		Type:       d.Type,
		Message:    truncate(d.Message),
	}
}

// transportError wraps a failure to get a response: no status, the cause
// kept for logs, Timeout set when the deadline passed. The request URL is
// dropped from the cause so a configured base URL is never rendered.
func transportError(ctx context.Context, err error) *provider.Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &provider.Error{Provider: Name, Timeout: isTimeout(ctx, err), Err: err}
}

// interrupted wraps a failure to read a stream that had started: the
// connection dropped (io.ErrUnexpectedEOF) or the deadline passed.
func interrupted(ctx context.Context, err error) *provider.Error {
	if isTimeout(ctx, err) {
		return &provider.Error{Provider: Name, Timeout: true, Err: err}
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &provider.Error{
		Provider:   Name,
		StatusCode: http.StatusOK,
		Type:       "stream_interrupted",
		Message:    "the stream ended before message_stop",
		Err:        err,
	}
}

// invalidResponse reports a body that is not the documented JSON.
func invalidResponse(status int, err error) *provider.Error {
	return &provider.Error{
		Provider:   Name,
		StatusCode: status,
		Type:       "invalid_response",
		Message:    "malformed response body",
		Err:        err,
	}
}

func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// truncate cuts s to at most maxMessage bytes on a rune boundary.
func truncate(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	i := maxMessage
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// typeForStatus is the error type Anthropic documents for an HTTP status.
func typeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid_request_error"
	case http.StatusUnauthorized:
		return "authentication_error"
	case http.StatusPaymentRequired:
		return "billing_error"
	case http.StatusForbidden:
		return "permission_error"
	case http.StatusNotFound:
		return "not_found_error"
	case http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case http.StatusTooManyRequests:
		return "rate_limit_error"
	case http.StatusGatewayTimeout:
		return "timeout_error"
	case statusOverloaded:
		return "overloaded_error"
	}
	if status >= 500 {
		return "api_error"
	}
	return "http_error"
}

// statusForType is the inverse of typeForStatus, for error events that
// carry a type but no status.
func statusForType(typ string) int {
	switch typ {
	case "invalid_request_error":
		return http.StatusBadRequest
	case "authentication_error":
		return http.StatusUnauthorized
	case "billing_error":
		return http.StatusPaymentRequired
	case "permission_error":
		return http.StatusForbidden
	case "not_found_error":
		return http.StatusNotFound
	case "request_too_large":
		return http.StatusRequestEntityTooLarge
	case "rate_limit_error":
		return http.StatusTooManyRequests
	case "timeout_error":
		return http.StatusGatewayTimeout
	case "overloaded_error":
		return statusOverloaded
	}
	return http.StatusInternalServerError
}
