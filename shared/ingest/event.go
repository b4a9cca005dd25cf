package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Event is one model call as an application reports it to POST /v1/traces.
// Only id, time, provider and model are required. Money is nano-USD,
// durations milliseconds.
type Event struct {
	// ID is the idempotency key: the same ID and time recorded twice is
	// one trace. 1-64 characters of [A-Za-z0-9._:-].
	ID string `json:"id"`
	// Time is when the call started, RFC 3339.
	Time string `json:"time"`
	// Workspace, when set, must be the token's own workspace.
	Workspace string `json:"workspace,omitempty"`
	Provider  string `json:"provider"`
	Model     string `json:"model"`
	Alias     string `json:"alias,omitempty"`
	Feature   string `json:"feature,omitempty"`
	// Status is "ok" (the default) or "error".
	Status       string `json:"status,omitempty"`
	ErrorCode    string `json:"error_code,omitempty"`
	TokensIn     *int64 `json:"tokens_in,omitempty"`
	TokensOut    *int64 `json:"tokens_out,omitempty"`
	TokensCached *int64 `json:"tokens_cached,omitempty"`
	// CostNano is what the call cost; absent, it is computed from the
	// org's price table.
	CostNano  *int64            `json:"cost_nano,omitempty"`
	LatencyMS *int64            `json:"latency_ms,omitempty"`
	TTFTMS    *int64            `json:"ttft_ms,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"`
	// StoreContent opts this event's Content in to being kept; the
	// workspace must allow it too, or the text is dropped.
	StoreContent bool     `json:"store_content,omitempty"`
	Content      *Content `json:"content,omitempty"`
	// FeedbackScore, when set, is a user's score for this call, in [0, 1]:
	// recorded (package feedback) for the event's id once the event is
	// stored, as POST /v1/traces/feedback would. A number only.
	FeedbackScore *float64 `json:"feedback_score,omitempty"`
}

// Content is a call's text: each part a JSON string, array or object (a
// plain prompt, or chat messages).
type Content struct {
	Prompt   json.RawMessage `json:"prompt,omitempty"`
	Response json.RawMessage `json:"response,omitempty"`
}

// reject is a per-event rejection: Invalid, with a stable code, and the
// field at fault when there is one.
func reject(code, param, msg string) *apperr.Error {
	e := apperr.New(apperr.Invalid, code, msg)
	if param != "" {
		e = e.WithParam(param)
	}
	return e
}

// decodeEvent reads one event strictly: unknown fields and wrong types are
// rejections that name the field, so a typo never records a call as free.
func decodeEvent(raw json.RawMessage) (*Event, *apperr.Error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, reject("invalid_event", "", "an event must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var ev Event
	if err := dec.Decode(&ev); err != nil {
		return nil, decodeRejection(err)
	}
	return &ev, nil
}

// decodeRejection turns a decoding error into a rejection naming the field,
// never echoing the value.
func decodeRejection(err error) *apperr.Error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		// Only the top-level field: a nested path holds the caller's keys.
		field, _, _ := strings.Cut(typeErr.Field, ".")
		want := typeErr.Type.String()
		switch {
		case field == "feedback_score":
			return reject("invalid_feedback_score", field, "feedback_score must be a number between 0 and 1")
		case strings.Contains(want, "int"):
			want = "an integer"
		case strings.Contains(want, "map"), strings.Contains(want, "Content"):
			want = "an object"
		case strings.Contains(want, "bool"):
			want = "a boolean"
		default:
			want = "a string"
		}
		return reject("invalid_field", field, fmt.Sprintf("%s must be %s", field, want))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field = strings.Trim(field, `"`)
		if !safeName(field) {
			return reject("unknown_field", "", "the event has an unknown field")
		}
		return reject("unknown_field", field, fmt.Sprintf("unknown field %q", field))
	}
	return reject("invalid_event", "", "the event is not valid JSON")
}

// safeName reports whether a caller's field name can be echoed back: short
// and plain, so an error never reflects arbitrary text.
func safeName(s string) bool {
	if s == "" || len(s) > MaxTagKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
