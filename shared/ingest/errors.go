package ingest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// errorResponse is the OpenAI-style error body the gateway writes, so one
// client-side error handler serves every Tollgate endpoint.
type errorResponse struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

// errorType names a kind the way OpenAI's SDKs classify errors.
func errorType(k apperr.Kind) string {
	switch k {
	case apperr.Invalid, apperr.NotFound, apperr.TooLarge, apperr.Conflict, apperr.Unprocessable:
		return "invalid_request_error"
	case apperr.Unauthenticated:
		return "authentication_error"
	case apperr.Forbidden:
		return "permission_error"
	case apperr.RateLimited:
		return "rate_limit_error"
	case apperr.Unavailable:
		return "service_unavailable"
	}
	return "server_error"
}

// writeError answers with err at its kind's status. Only the client-safe
// message is written; the cause stays in logs.
func writeError(w http.ResponseWriter, err error) int {
	e := apperr.As(err)
	return writeErrorStatus(w, e.Kind.HTTPStatus(), e)
}

// writeErrorStatus answers with e at an explicit status, for the few
// statuses no Kind maps to (415).
func writeErrorStatus(w http.ResponseWriter, status int, e *apperr.Error) int {
	body := errorResponse{Error: errorBody{Message: e.Message, Type: errorType(e.Kind), Code: e.Code}}
	if e.Param != "" {
		body.Error.Param = &e.Param
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
	return status
}
