package provider

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error is an upstream failure, kept apart from Tollgate's own errors so the
// router can decide whether to fall back (429, 5xx, timeout before the first
// byte) and the edge can answer the client with a sanitized message.
type Error struct {
	Provider   string        // "openai", "anthropic", …
	StatusCode int           // upstream HTTP status; 0 for transport failures
	Type       string        // the provider's error type or code, when it sent one
	Message    string        // the provider's message, to be scrubbed before it reaches anyone
	RetryAfter time.Duration // from Retry-After (or the provider's equivalent), 0 if absent
	Timeout    bool          // the upstream did not answer in time
	Err        error         // transport cause, if any
}

func (e *Error) Error() string {
	switch {
	case e.Timeout:
		return fmt.Sprintf("%s: upstream timeout", e.Provider)
	case e.StatusCode == 0:
		return fmt.Sprintf("%s: upstream unreachable: %v", e.Provider, e.Err)
	}
	return fmt.Sprintf("%s: upstream status %d (%s): %s", e.Provider, e.StatusCode, e.Type, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether another attempt, on this or the next target,
// may succeed: rate limits, overload, server errors and timeouts.
func (e *Error) Retryable() bool {
	if e.Timeout || e.StatusCode == 0 {
		return true
	}
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode == http.StatusRequestTimeout ||
		e.StatusCode == 529 || e.StatusCode >= 500
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ParseRetryAfter reads a Retry-After header given in seconds or as an HTTP
// date, relative to now. It returns 0 when the header is absent or invalid.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		if ms := h.Get("Retry-After-Ms"); ms != "" {
			var n int64
			if _, err := fmt.Sscanf(ms, "%d", &n); err == nil && n > 0 {
				return time.Duration(n) * time.Millisecond
			}
		}
		return 0
	}
	var secs int64
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
