package openai

import (
	"context"
	"encoding/json"
	"errors"
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
	// maxMessageBytes bounds an upstream error message kept in an error.
	maxMessageBytes = 512
	// maxErrorBody bounds how much of an error response is read.
	maxErrorBody = 64 << 10
	// redacted replaces the configured key wherever an upstream echoes it.
	redacted = "[redacted]"
)

// Error types the adapter sets itself, beside the ones upstreams send.
const (
	typeInvalidResponse   = "invalid_response"
	typeResponseTooLarge  = "response_too_large"
	typeStreamInterrupted = "stream_interrupted"
)

// statusError turns an unsuccessful response into a *provider.Error, reading
// a bounded part of its body for the upstream's type and message.
func (p *Provider) statusError(resp *http.Response, key string) *provider.Error {
	e := &provider.Error{
		Provider:   p.name,
		StatusCode: resp.StatusCode,
		RetryAfter: retryAfter(resp.Header, p.now()),
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		if d := detailOf(b.Error, &b.flatError); d != nil {
			fillDetail(e, d, key)
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// eventError turns an error carried in a body or stream event of a response
// whose HTTP status was status.
func (p *Provider) eventError(status int, d *errorDetail, key string) *provider.Error {
	e := &provider.Error{Provider: p.name, StatusCode: status}
	fillDetail(e, d, key)
	if e.Message == "" {
		e.Message = "upstream reported an error"
	}
	return e
}

// fillDetail copies type and message. A textual code ("rate_limit_exceeded",
// "insufficient_quota") is more specific than the type, so it wins.
func fillDetail(e *provider.Error, d *errorDetail, key string) {
	var code string
	if json.Unmarshal(d.Code, &code) == nil && code != "" {
		e.Type = code
	} else if d.Type != "" {
		e.Type = d.Type
	} else {
		e.Type = codeString(d.Code)
	}
	e.Message = cleanMessage(d.Message, key)
}

// cleanMessage removes the configured key, should the upstream echo it, and
// truncates the message on a rune boundary.
func cleanMessage(msg, key string) string {
	if key != "" {
		msg = strings.ReplaceAll(msg, key, redacted)
	}
	if len(msg) <= maxMessageBytes {
		return msg
	}
	cut := maxMessageBytes
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut]
}

// retryAfter prefers retry-after-ms (OpenAI, Azure), which is more precise
// than Retry-After when both are sent.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if ms := h.Get("Retry-After-Ms"); ms != "" {
		if d := provider.ParseRetryAfter(http.Header{"Retry-After-Ms": {ms}}, now); d > 0 {
			return d
		}
	}
	return provider.ParseRetryAfter(h, now)
}

// transportError reports a failure to reach the upstream or to read its
// answer. The *url.Error wrapper is dropped: its text holds the request URL,
// which may name a tenant's internal host.
func (p *Provider) transportError(ctx context.Context, status int, err error) *provider.Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &provider.Error{Provider: p.name, StatusCode: status, Timeout: isTimeout(ctx, err), Err: err}
}

// isTimeout reports whether err comes from the call's deadline or a network
// timeout, as opposed to a cancellation or a refused connection.
func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// invalidResponse reports a body or event that is not the documented JSON.
func (p *Provider) invalidResponse(status int, err error) *provider.Error {
	return &provider.Error{
		Provider:   p.name,
		StatusCode: status,
		Type:       typeInvalidResponse,
		Message:    "malformed response from upstream",
		Err:        err,
	}
}

// tooLarge reports a body over the adapter's bound.
func (p *Provider) tooLarge(status int) *provider.Error {
	return &provider.Error{
		Provider:   p.name,
		StatusCode: status,
		Type:       typeResponseTooLarge,
		Message:    "response too large",
	}
}

// interrupted reports a stream that ended before its end marker.
func (p *Provider) interrupted(err error) *provider.Error {
	return &provider.Error{
		Provider:   p.name,
		StatusCode: http.StatusOK,
		Type:       typeStreamInterrupted,
		Message:    "stream ended before completion",
		Err:        err,
	}
}
