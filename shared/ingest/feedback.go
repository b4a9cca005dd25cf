package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
)

// Feedback limits: part of the documented API.
const (
	// MaxFeedbackEntries bounds the entries of one POST /v1/traces/feedback.
	MaxFeedbackEntries = 500
	// MaxFeedbackBytes bounds its body: 500 entries of the longest trace
	// ID and score fit with room to spare.
	MaxFeedbackBytes = 64 << 10
)

// FlagFeedbackConflict marks an event that was stored but whose
// feedback_score was not: another workspace of the org already sent
// feedback for the same trace ID.
const FlagFeedbackConflict = "feedback_conflict"

// FeedbackBatch is the body of POST /v1/traces/feedback.
type FeedbackBatch struct {
	Feedback []FeedbackEntry `json:"feedback"`
}

// FeedbackEntry is one score: both fields required, nothing else
// accepted (feedback is a number, never text).
type FeedbackEntry struct {
	// TraceID is the event's id (or, for a gateway call, its X-Request-Id).
	TraceID string `json:"trace_id"`
	// Score is in [0, 1].
	Score float64 `json:"score"`
}

// FeedbackResponse answers a recorded batch.
type FeedbackResponse struct {
	Object string `json:"object"` // always "feedback.batch"
	// Accepted counts the entries recorded; for a trace ID sent more than
	// once in the batch, the last entry is the one kept.
	Accepted int `json:"accepted"`
}

// checkFeedback validates an event's optional feedback_score with the
// rules of package feedback.
func checkFeedback(ev *Event) *apperr.Error {
	if ev.FeedbackScore == nil {
		return nil
	}
	if err := feedback.Validate(ev.ID, *ev.FeedbackScore); err != nil {
		e := apperr.As(err)
		if e.Code == "invalid_feedback_score" {
			return reject(e.Code, "feedback_score", "feedback_score must be a number between 0 and 1")
		}
		return e
	}
	return nil
}

// errFeedbackStore says the store failed; retrying the request is safe:
// feedback already recorded is simply written again.
var errFeedbackStore = apperr.New(apperr.Unavailable, "feedback_store_unavailable",
	"the feedback could not be stored; retry the request").WithRetryAfter(retryAfter)

// writeEventFeedback records a stored event's feedback_score. A failing
// store rejects the event as a store failure (the batch may be retried as
// a whole: the trace is then a duplicate and its feedback written again);
// feedback another workspace owns only flags the event.
func (h *Handler) writeEventFeedback(ctx context.Context, c *caller, s *slot, retention time.Duration) error {
	if s.p.feedback == nil {
		return nil
	}
	if h.cfg.Feedback == nil {
		s.rejectSlot(errStore)
		return errors.New("ingest: no feedback store configured")
	}
	err := h.cfg.Feedback.PutFor(ctx, c.scoped.DynamoDB, c.principal.Org, feedback.Score{
		TraceID: s.p.tr.ID, Workspace: c.principal.Workspace, Value: *s.p.feedback,
		Source: feedback.SourceIngest, Time: h.cfg.Clock().UTC(),
	}, retention)
	switch {
	case err == nil:
		return nil
	case apperr.KindOf(err) == apperr.Conflict:
		s.result.Flags = append(append([]string(nil), s.result.Flags...), FlagFeedbackConflict)
		return nil
	}
	s.rejectSlot(errStore)
	return err
}

// serveFeedback is POST /v1/traces/feedback: {"feedback":[{"trace_id",
// "score"}, …]}, at most MaxFeedbackEntries. Every entry is validated
// before anything is written; the first invalid one refuses the whole
// batch with an error naming its index (param feedback[i].trace_id or
// feedback[i].score). Recording is idempotent (last write wins per trace
// ID), so a batch answered 503 may be retried as a whole.
func (h *Handler) serveFeedback(w http.ResponseWriter, r *http.Request) {
	a := h.startAccess(r, "traces_feedback")
	defer h.logAccess(r.Context(), a)
	if e := checkMediaType(r); e != nil {
		a.status = openaierr.WriteStatus(w, http.StatusUnsupportedMediaType, e)
		return
	}
	if r.ContentLength > MaxFeedbackBytes {
		a.status = openaierr.Write(w, errFeedbackTooLarge)
		return
	}
	c, err := h.authorize(r)
	if err != nil {
		a.status = h.fail(w, a, err)
		return
	}
	a.principal = c.principal
	body, err := readFeedbackBody(w, r)
	if err != nil {
		a.status = h.fail(w, a, err)
		return
	}
	entries, err := decodeFeedback(body)
	if err != nil {
		a.status = h.fail(w, a, err)
		return
	}
	a.events = len(entries)
	if h.cfg.Feedback == nil {
		a.status = h.fail(w, a, apperr.New(apperr.Internal, "internal_error", "internal error"))
		return
	}
	// The last entry for a trace ID wins, whatever order the writes land in.
	last := make(map[string]int, len(entries))
	for i, e := range entries {
		last[e.TraceID] = i
	}
	now := h.cfg.Clock().UTC()
	var scores []feedback.Score
	var index []int
	for i, e := range entries {
		if last[e.TraceID] != i {
			continue
		}
		scores = append(scores, feedback.Score{TraceID: e.TraceID, Workspace: c.principal.Workspace, Value: e.Score,
			Source: feedback.SourceIngest, Time: now})
		index = append(index, i)
	}
	retention := time.Duration(c.snap.Settings.RetentionDays) * 24 * time.Hour
	errs := h.cfg.Feedback.PutAll(r.Context(), c.scoped.DynamoDB, c.principal.Org, scores, retention)
	var storeErr, conflict error
	for j, err := range errs {
		switch {
		case err == nil:
		case apperr.KindOf(err) == apperr.Conflict:
			if conflict == nil {
				i := index[j]
				conflict = apperr.Wrap(err, apperr.Conflict, "feedback_conflict", fmt.Sprintf(
					"feedback[%d]: feedback for this trace_id was sent from another workspace of the organization; the batch's other entries were recorded", i)).
					WithParam(fmt.Sprintf("feedback[%d].trace_id", i))
			}
		default:
			if storeErr == nil {
				storeErr = err
			}
		}
	}
	switch {
	case storeErr != nil:
		h.cfg.Logger.Error("feedback write failed", "request_id", a.requestID, "org", c.principal.Org, "error", storeErr)
		a.status = openaierr.Write(w, errFeedbackStore)
		return
	case conflict != nil:
		a.status = h.fail(w, a, conflict)
		return
	}
	a.accepted = len(entries)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	a.status = http.StatusOK
	_ = json.NewEncoder(w).Encode(FeedbackResponse{Object: "feedback.batch", Accepted: len(entries)})
}

var errFeedbackTooLarge = apperr.New(apperr.TooLarge, "batch_too_large",
	fmt.Sprintf("the request body exceeds %d bytes; send at most %d feedback entries a request", MaxFeedbackBytes, MaxFeedbackEntries))

// readFeedbackBody reads at most MaxFeedbackBytes of UTF-8.
func readFeedbackBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxFeedbackBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errFeedbackTooLarge
	case err != nil:
		return nil, apperr.Wrap(fmt.Errorf("read body: %w", err), apperr.Invalid, "unreadable_body",
			"the request body could not be read")
	case !utf8.Valid(body):
		return nil, errInvalidUTF8
	}
	return body, nil
}

var errFeedbackShape = apperr.New(apperr.Invalid, "invalid_body",
	`the body must be a JSON object {"feedback":[{"trace_id":"...","score":0.8}, ...]}`)

// decodeFeedback reads the batch strictly and validates every entry,
// returning the first invalid one's error, named by its index. Errors
// never echo the body.
func decodeFeedback(body []byte) ([]FeedbackEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var b struct {
		Feedback *[]json.RawMessage `json:"feedback"`
	}
	if err := dec.Decode(&b); err != nil {
		return nil, apperr.Wrap(fmt.Errorf("decode feedback batch: %w", err), errFeedbackShape.Kind, errFeedbackShape.Code, errFeedbackShape.Message)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errFeedbackShape
	}
	switch {
	case b.Feedback == nil:
		return nil, apperr.New(apperr.Invalid, "missing_feedback", "feedback is required").WithParam("feedback")
	case len(*b.Feedback) > MaxFeedbackEntries:
		return nil, apperr.New(apperr.TooLarge, "too_many_entries",
			fmt.Sprintf("a batch holds at most %d feedback entries", MaxFeedbackEntries)).WithParam("feedback")
	}
	out := make([]FeedbackEntry, len(*b.Feedback))
	for i, raw := range *b.Feedback {
		e, err := decodeFeedbackEntry(raw)
		if err == nil {
			err = feedback.Validate(e.TraceID, e.Score)
		}
		if err != nil {
			ae := apperr.As(err)
			param := fmt.Sprintf("feedback[%d]", i)
			if ae.Param != "" {
				param += "." + ae.Param
			}
			return nil, apperr.Wrap(err, ae.Kind, ae.Code, fmt.Sprintf("feedback[%d]: %s", i, ae.Message)).WithParam(param)
		}
		out[i] = *e
	}
	return out, nil
}

// decodeFeedbackEntry reads one entry: an object with exactly trace_id and
// score, of the right types.
func decodeFeedbackEntry(raw json.RawMessage) (*FeedbackEntry, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, reject("invalid_entry", "", `an entry must be a JSON object {"trace_id":"...","score":0.8}`)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var e struct {
		TraceID *string  `json:"trace_id"`
		Score   *float64 `json:"score"`
	}
	if err := dec.Decode(&e); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field == "trace_id":
			return nil, reject("invalid_trace_id", "trace_id", "trace_id must be a string")
		case errors.As(err, &te) && te.Field == "score":
			return nil, reject("invalid_feedback_score", "score", "score must be a number between 0 and 1")
		}
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			field = strings.Trim(field, `"`)
			if safeName(field) {
				return nil, reject("unknown_field", field, fmt.Sprintf("unknown field %q: an entry takes only trace_id and score", field))
			}
			return nil, reject("unknown_field", "", "unknown field: an entry takes only trace_id and score")
		}
		return nil, reject("invalid_entry", "", `an entry must be a JSON object {"trace_id":"...","score":0.8}`)
	}
	switch {
	case e.TraceID == nil:
		return nil, reject("invalid_trace_id", "trace_id", "trace_id is required")
	case e.Score == nil:
		return nil, reject("invalid_feedback_score", "score", "score is required: a number between 0 and 1")
	}
	return &FeedbackEntry{TraceID: *e.TraceID, Score: *e.Score}, nil
}
