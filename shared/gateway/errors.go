package gateway

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// openAIError is OpenAI's error body.
type openAIError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

// errorType names each kind the way OpenAI's SDKs classify errors.
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
	case apperr.BudgetExhausted:
		return "insufficient_quota"
	case apperr.UpstreamFailed, apperr.UpstreamTimeout:
		return "upstream_error"
	case apperr.Unavailable:
		return "service_unavailable"
	}
	return "server_error"
}

// writeError answers with err as OpenAI error JSON and the status of its
// kind. Only the client-safe message is written; the cause stays in logs.
func writeError(w http.ResponseWriter, err error) *apperr.Error {
	e := apperr.As(err)
	body := openAIError{Error: errorBody{Message: e.Message, Type: errorType(e.Kind), Code: e.Code}}
	if e.Param != "" {
		body.Error.Param = &e.Param
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
	}
	w.WriteHeader(e.Kind.HTTPStatus())
	_ = json.NewEncoder(w).Encode(body)
	return e
}

// errorEvent is the body of an SSE error event sent after a stream began.
func errorEvent(err error) []byte {
	e := apperr.As(err)
	b, _ := json.Marshal(openAIError{Error: errorBody{Message: e.Message, Type: errorType(e.Kind), Code: e.Code}})
	return b
}
