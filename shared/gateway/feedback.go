package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
)

// MaxFeedbackBytes bounds a POST /v1/feedback body; larger bodies are
// refused with 413 request_too_large before parsing.
const MaxFeedbackBytes = 4 << 10

// FeedbackRequest is the body of POST /v1/feedback. Both fields are
// required and no other field is accepted: feedback is a number only,
// never text.
type FeedbackRequest struct {
	// TraceID is the trace the score rates. For a call made through the
	// gateway it is the request ID the gateway returned in the call's
	// X-Request-Id header (req_…); for an ingested event, the event's id.
	TraceID *string `json:"trace_id"`
	// Score is the user's rating, a number in [0, 1].
	Score *float64 `json:"score"`
}

// FeedbackResponse answers a recorded score.
type FeedbackResponse struct {
	Object  string  `json:"object"` // always "feedback"
	TraceID string  `json:"trace_id"`
	Score   float64 `json:"score"`
}

// feedbackCall is one POST /v1/feedback as its access log line sees it.
type feedbackCall struct {
	id        string
	start     time.Time
	principal *auth.Principal
	traceID   string
	status    int
	errCode   string
}

// feedback is POST /v1/feedback: a user's score for a trace, recorded as a
// quality signal for the savings engine (verification and drift). The
// trace ID is the X-Request-Id the gateway returned for the call being
// rated; the feedback request gets its own X-Request-Id.
//
// It needs a token with the inference scope and writes, with the org's
// scoped credentials, only under the token's org and workspace. Sending a
// score again for the same trace replaces it, so a retry is harmless. It
// reserves nothing and never counts against spend caps (and, as it holds
// no reservation, not against the requests-per-minute limits either).
func (h *Handler) feedback(w http.ResponseWriter, r *http.Request) {
	c := &feedbackCall{id: id.New(id.Request), start: h.cfg.Clock()}
	w.Header().Set("X-Request-Id", c.id)
	resp, err := h.serveFeedback(w, r, c)
	if err != nil {
		e := apperr.As(err)
		c.status, c.errCode = openaierr.Write(w, e), e.Code
		if e.Kind == apperr.Internal || e.Kind == apperr.Unavailable {
			h.cfg.Logger.Error("feedback failed", "request_id", c.id, "error", err)
		}
	} else {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		c.status = http.StatusOK
		_ = json.NewEncoder(w).Encode(resp)
	}
	h.logFeedback(c)
}

func (h *Handler) serveFeedback(w http.ResponseWriter, r *http.Request, c *feedbackCall) (*FeedbackResponse, error) {
	if h.cfg.Feedback == nil {
		return nil, apperr.New(apperr.Internal, "internal_error", "internal error")
	}
	if r.ContentLength > MaxFeedbackBytes {
		return nil, apperr.New(apperr.TooLarge, "request_too_large",
			fmt.Sprintf("the request body exceeds %d bytes", MaxFeedbackBytes))
	}
	p, err := h.authenticate(r, auth.ScopeInference)
	if err != nil {
		return nil, err
	}
	c.principal = p
	body, err := readBody(w, r, MaxFeedbackBytes)
	if err != nil {
		return nil, err
	}
	traceID, score, err := parseFeedback(body)
	if err != nil {
		return nil, err
	}
	c.traceID = traceID
	ctx := r.Context()
	scoped, err := h.cfg.Tenants.For(ctx, p.Org)
	if err != nil {
		return nil, err
	}
	// The workspace's retention, so the score expires with the traces it rates.
	snap, err := h.cfg.Workspaces.Load(ctx, scoped.DynamoDB, p.Org, p.Workspace)
	if err != nil {
		return nil, err
	}
	retention := time.Duration(snap.Settings.RetentionDays) * 24 * time.Hour
	if err := h.cfg.Feedback.PutFor(ctx, scoped.DynamoDB, p.Org, feedback.Score{
		TraceID: traceID, Workspace: p.Workspace, Value: score, Source: feedback.SourceGateway, Time: c.start.UTC(),
	}, retention); err != nil {
		return nil, err
	}
	if h.cfg.Touch != nil && p.TokenID != "" {
		if err := h.cfg.Touch.Touch(ctx, scoped.DynamoDB, p.Org, p.TokenID); err != nil {
			h.cfg.Logger.WarnContext(ctx, "record token use", "request_id", c.id, "error", err)
		}
	}
	if score == 0 {
		score = 0 // never "-0"
	}
	return &FeedbackResponse{Object: "feedback", TraceID: traceID, Score: score}, nil
}

// parseFeedback decodes a feedback body strictly (unknown fields, trailing
// data and wrong types are refused) and validates it with feedback.Validate.
// Errors never quote the body.
func parseFeedback(body []byte) (string, float64, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return "", 0, invalid("invalid_json", "", `the request body is empty; send {"trace_id": "...", "score": 0.8}`)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req FeedbackRequest
	if err := dec.Decode(&req); err != nil {
		return "", 0, feedbackDecodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", 0, invalid("invalid_json", "", "the request body must hold exactly one JSON object")
	}
	switch {
	case req.TraceID == nil:
		return "", 0, invalid("invalid_trace_id", "trace_id", "trace_id is required")
	case req.Score == nil:
		return "", 0, invalid("invalid_feedback_score", "score", "score is required: a number between 0 and 1")
	}
	if err := feedback.Validate(*req.TraceID, *req.Score); err != nil {
		return "", 0, err
	}
	return *req.TraceID, *req.Score, nil
}

func feedbackDecodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		switch te.Field {
		case "trace_id":
			return invalid("invalid_trace_id", "trace_id", "trace_id must be a string")
		case "score":
			return invalid("invalid_feedback_score", "score", "score must be a number between 0 and 1")
		}
		return invalid("invalid_json", "", `the body must be a JSON object {"trace_id": "...", "score": 0.8}`)
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field = strings.Trim(field, `"`)
		if plainField(field) {
			return invalid("unknown_field", field, fmt.Sprintf("unknown field %q: feedback takes only trace_id and score", field))
		}
		return invalid("unknown_field", "", "the body has an unknown field: feedback takes only trace_id and score")
	}
	return invalid("invalid_json", "", `the request body is not valid JSON: send {"trace_id": "...", "score": 0.8}`)
}

// plainField reports whether a caller's field name is short and plain
// enough to echo back.
func plainField(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func (h *Handler) logFeedback(c *feedbackCall) {
	attrs := []any{"request_id", c.id, "status", c.status, "latency_ms", h.cfg.Clock().Sub(c.start).Milliseconds()}
	if c.principal != nil {
		attrs = append(attrs, "org", c.principal.Org, "workspace", c.principal.Workspace, "token_id", c.principal.TokenID)
	}
	if c.traceID != "" {
		attrs = append(attrs, "trace_id", c.traceID)
	}
	if c.errCode != "" {
		attrs = append(attrs, "error_code", c.errCode)
	}
	h.cfg.Logger.Info("feedback", attrs...)
}
