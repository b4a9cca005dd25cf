// Package apperr is Tollgate's one error type. Inner code says what went wrong
// (a Kind and a stable Code); only the transport edge turns that into an HTTP
// status and a response body, in one place, so no package below the edge ever
// writes a status code.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error by what the caller can do about it. The transport
// edge maps each Kind to exactly one HTTP status.
type Kind uint8

// The kinds, in the order of DESIGN §11.
const (
	Internal        Kind = iota // a bug or an unexpected dependency answer; never detailed to the client
	Invalid                     // the request is malformed or breaks a documented limit
	Unauthenticated             // missing, unknown, expired or revoked credentials
	Forbidden                   // a known caller without the role, scope or model
	NotFound                    // absent, or owned by another org (never confirm which)
	Conflict                    // a precondition or uniqueness check failed
	RateLimited                 // a requests- or tokens-per-minute limit was crossed
	BudgetExhausted             // a spend cap would be exceeded
	Unavailable                 // a dependency failed or timed out; retry later (fail closed)
	TooLarge                    // the request body or a field is over its size limit
	UpstreamFailed              // the provider answered with an error or garbage
	UpstreamTimeout             // the provider did not answer in time
	Unprocessable               // well-formed but semantically refused (e.g. idempotency key reuse)
)

var kindNames = [...]string{
	Internal:        "internal",
	Invalid:         "invalid",
	Unauthenticated: "unauthenticated",
	Forbidden:       "forbidden",
	NotFound:        "not_found",
	Conflict:        "conflict",
	RateLimited:     "rate_limited",
	BudgetExhausted: "budget_exhausted",
	Unavailable:     "unavailable",
	TooLarge:        "too_large",
	UpstreamFailed:  "upstream_failed",
	UpstreamTimeout: "upstream_timeout",
	Unprocessable:   "unprocessable",
}

// String returns the kind's stable lower-case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is the error every Tollgate package returns when the failure must reach
// a client. Message is safe to show to the caller: it never holds a secret, a
// prompt, an internal address or another org's identifiers. Err is the cause,
// kept for logs (which are scrubbed) and errors.Is/As, and never rendered.
type Error struct {
	Kind       Kind
	Code       string        // stable machine-readable code, e.g. "budget_exhausted"
	Message    string        // human-readable, client-safe
	Param      string        // the offending request field, when there is one
	RetryAfter time.Duration // set for RateLimited, BudgetExhausted and Unavailable when known
	Err        error
}

// Error renders the client-safe message with the cause, for logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error of the given kind with a stable code and a client-safe message.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Wrap returns an *Error that keeps err as its cause.
func Wrap(err error, kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message, Err: err}
}

// WithParam returns a copy of e naming the offending request field.
func (e *Error) WithParam(param string) *Error {
	c := *e
	c.Param = param
	return &c
}

// WithRetryAfter returns a copy of e that tells the client when to retry.
func (e *Error) WithRetryAfter(d time.Duration) *Error {
	c := *e
	c.RetryAfter = d
	return &c
}

// As returns the *Error in err's chain, or an Internal error that hides err's
// text from the client when there is none. It never returns nil for a non-nil err.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Code: "internal_error", Message: "internal error", Err: err}
}

// KindOf returns the Kind of err, Internal when err carries none. Check
// err != nil first: a nil error has no kind and KindOf(nil) is Internal too.
func KindOf(err error) Kind {
	if err == nil {
		return Internal
	}
	return As(err).Kind
}
