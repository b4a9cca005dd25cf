// Package openaierr writes Tollgate's errors in OpenAI's error JSON,
// {"error":{"message","type","param","code"}}, at the status of their kind.
// Every OpenAI-compatible endpoint (the gateway, trace ingestion) answers
// through it, so one client-side error handler serves them all and the
// mapping lives in one place.
package openaierr

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/scrub"
)

type response struct {
	Error body `json:"error"`
}

type body struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

// Type names a kind the way OpenAI's SDKs classify errors.
func Type(k apperr.Kind) string {
	switch k {
	case apperr.Invalid, apperr.NotFound, apperr.TooLarge, apperr.Conflict, apperr.Unprocessable:
		return "invalid_request_error"
	case apperr.Unauthenticated:
		return "authentication_error"
	case apperr.Forbidden:
		return "permission_error"
	case apperr.RateLimited:
		return "rate_limit_error"
	case apperr.BudgetExhausted:
		return "insufficient_quota"
	case apperr.UpstreamFailed, apperr.UpstreamTimeout:
		return "upstream_error"
	case apperr.Unavailable:
		return "service_unavailable"
	}
	return "server_error"
}

func bodyOf(e *apperr.Error) response {
	// Messages and params may quote what the caller sent (a model name, a
	// field name); a credential in it is never echoed back.
	b := response{Error: body{Message: scrub.String(e.Message), Type: Type(e.Kind), Code: e.Code}}
	if e.Param != "" {
		param := scrub.String(e.Param)
		b.Error.Param = &param
	}
	return b
}

// Write answers with err at its kind's status and returns that status.
// Only the client-safe message is written; the cause stays in logs.
func Write(w http.ResponseWriter, err error) int {
	e := apperr.As(err)
	return WriteStatus(w, e.Kind.HTTPStatus(), e)
}

// WriteStatus answers with e at an explicit status, for the few statuses
// no Kind maps to (405, 415), and returns it.
func WriteStatus(w http.ResponseWriter, status int, e *apperr.Error) int {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(bodyOf(e))
	return status
}

// Event is the body of an SSE error event, for failures after a stream began.
func Event(err error) []byte {
	b, _ := json.Marshal(bodyOf(apperr.As(err)))
	return b
}
