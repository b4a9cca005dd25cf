package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/provider"
)

const (
	// maxMessage bounds an upstream error message kept in a provider.Error.
	maxMessage = 512
	// maxErrorBody bounds how much of an error response is read.
	maxErrorBody = 64 << 10
)

// statusError maps a non-2xx answer. Google's body is a google.rpc.Status
// ({"error":{"code","message","status","details"}}), sometimes wrapped in an
// array; a 429's RetryInfo detail gives the delay when no Retry-After header
// does. key is the credential sent, removed from the message should the
// upstream echo it.
func statusError(resp *http.Response, now time.Time, key string) *provider.Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &provider.Error{
		Provider:   Name,
		StatusCode: resp.StatusCode,
		RetryAfter: provider.ParseRetryAfter(resp.Header, now),
	}
	if a := decodeError(body); a != nil {
		e.Type = a.Status
		e.Message = a.Message
		if e.RetryAfter == 0 {
			e.RetryAfter = retryDelay(a)
		}
	} else {
		e.Message = strings.TrimSpace(string(body))
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
	}
	e.Message = clean(e.Message, key)
	return e
}

// decodeError reads a google.rpc.Status body in either of its shapes.
func decodeError(body []byte) *apiError {
	body = bytes.TrimSpace(body)
	var one errorBody
	if err := json.Unmarshal(body, &one); err == nil && one.Error != nil {
		return one.Error
	}
	var many []errorBody
	if err := json.Unmarshal(body, &many); err == nil && len(many) > 0 && many[0].Error != nil {
		return many[0].Error
	}
	return nil
}

// retryDelay reads google.rpc.RetryInfo's retryDelay, a protobuf Duration
// such as "30s" or "1.5s".
func retryDelay(a *apiError) time.Duration {
	for _, d := range a.Details {
		if !strings.HasSuffix(d.Type, "google.rpc.RetryInfo") || d.RetryDelay == "" {
			continue
		}
		if v, err := time.ParseDuration(d.RetryDelay); err == nil && v > 0 {
			return v
		}
	}
	return 0
}

// eventError maps an error object sent inside a stream. Its code is the
// HTTP status Google assigns to the error; 200 stands in when it has none.
func eventError(a *apiError, key string) *provider.Error {
	code := a.Code
	if code == 0 {
		code = http.StatusOK
	}
	return &provider.Error{Provider: Name, StatusCode: code, Type: a.Status, Message: clean(a.Message, key)}
}

// transportError maps a failure to get any answer. The request URL is cut
// from the cause so no upstream address travels in the error.
func transportError(ctx context.Context, err error) *provider.Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &provider.Error{Provider: Name, Timeout: isTimeout(ctx, err), Err: fmt.Errorf("send request: %w", err)}
}

// interrupted maps a stream that broke before its end.
func interrupted(ctx context.Context, err error) *provider.Error {
	return &provider.Error{
		Provider:   Name,
		StatusCode: http.StatusOK,
		Type:       "stream_interrupted",
		Message:    "the stream ended before its final event",
		Timeout:    isTimeout(ctx, err),
		Err:        fmt.Errorf("read stream: %w", err),
	}
}

// invalidResponse maps a success answer whose body cannot be decoded.
func invalidResponse(status int, err error) *provider.Error {
	return &provider.Error{
		Provider:   Name,
		StatusCode: status,
		Type:       "invalid_response",
		Message:    "malformed response body",
		Err:        err,
	}
}

// tooLarge maps a success answer over the response size limit.
func tooLarge(status int) *provider.Error {
	return &provider.Error{Provider: Name, StatusCode: status, Type: "response_too_large", Message: "response too large"}
}

// isTimeout reports a deadline passed or a network timeout.
func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// clean removes the credential from an upstream message and truncates it to
// maxMessage bytes on a rune boundary.
func clean(msg, key string) string {
	if key != "" {
		msg = strings.ReplaceAll(msg, key, "[redacted]")
	}
	if len(msg) <= maxMessage {
		return msg
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut]
}
