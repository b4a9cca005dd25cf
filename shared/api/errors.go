package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// errorBody is the API's one error shape: a stable code for programs, a
// message for people, and the offending field when there is one.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Param   string `json:"param,omitempty"`
	} `json:"error"`
}

// writeError answers with err's status and body and returns the status.
// An error that is not an *apperr.Error is an internal one and is never
// detailed to the client.
func writeError(w http.ResponseWriter, err error) int {
	e := apperr.As(err)
	var b errorBody
	// A message may quote the caller's input; a credential in it is never echoed.
	b.Error.Code, b.Error.Message, b.Error.Param = e.Code, scrub.String(e.Message), scrub.String(e.Param)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+999_999_999)/1_000_000_000)))
	}
	status := e.Kind.HTTPStatus()
	writeJSON(w, status, b)
	return status
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // a JSON API, not HTML: names keep their & < >
	_ = enc.Encode(v)
}

// notFound is the answer for anything absent or outside the caller's org:
// the two are never told apart.
func notFound(code, msg string) error { return apperr.New(apperr.NotFound, code, msg) }
