package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Response answers POST /v1/traces: totals, and one result per event in
// the order sent. It is 200 whenever the batch was read, even when some
// events were rejected; valid events are stored regardless.
type Response struct {
	Accepted   int      `json:"accepted"`
	Rejected   int      `json:"rejected"`
	Duplicates int      `json:"duplicates"`
	Results    []Result `json:"results"`
}

var errBatchShape = apperr.New(apperr.Invalid, "invalid_body", `the body must be a JSON object {"events":[...]}`)

// decodeBatch splits the body into raw events, each decoded on its own so
// one malformed event is that event's rejection, not the batch's.
func decodeBatch(body []byte) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var b struct {
		Events *[]json.RawMessage `json:"events"`
	}
	if err := dec.Decode(&b); err != nil {
		return nil, apperr.Wrap(fmt.Errorf("decode batch: %w", err), errBatchShape.Kind, errBatchShape.Code, errBatchShape.Message)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errBatchShape
	}
	switch {
	case b.Events == nil:
		return nil, apperr.New(apperr.Invalid, "missing_events", "events is required").WithParam("events")
	case len(*b.Events) > MaxBatchEvents:
		return nil, apperr.New(apperr.TooLarge, "too_many_events",
			fmt.Sprintf("a batch holds at most %d events", MaxBatchEvents)).WithParam("events")
	}
	return *b.Events, nil
}

// serveBatch is POST /v1/traces.
func (h *Handler) serveBatch(w http.ResponseWriter, r *http.Request) {
	a := h.startAccess(r, "traces")
	defer h.logAccess(r.Context(), a)
	if e := checkMediaType(r); e != nil {
		a.status = openaierr.WriteStatus(w, http.StatusUnsupportedMediaType, e)
		return
	}
	if r.ContentLength > MaxBatchBytes {
		a.status = openaierr.Write(w, errTooLarge)
		return
	}
	c, err := h.authorize(r)
	if err != nil {
		a.status = h.fail(w, a, err)
		return
	}
	a.principal = c.principal
	body, err := readBody(w, r)
	if err != nil {
		a.status = h.fail(w, a, err)
		return
	}
	w, finish, proceed := h.idempotent(w, r, a, c, body)
	if !proceed {
		return
	}
	defer finish()
	raws, err := decodeBatch(body)
	if err != nil {
		a.status = h.fail(w, a, err)
		return
	}
	pol := c.policy(h.cfg.Clock())
	slots := make([]slot, len(raws))
	for i, raw := range raws {
		s := &slots[i]
		s.result.Index = i
		ev, rej := decodeEvent(raw)
		if rej != nil {
			s.rejectSlot(rej)
			continue
		}
		if trace.ValidID(ev.ID) {
			s.result.ID = ev.ID
		}
		if s.p, rej = pol.check(ev); rej != nil {
			s.rejectSlot(rej)
		}
	}
	a.status = h.store(w, r, a, c, slots, func(resp *Response) any { return resp })
}

// store writes the request's valid events and answers with body(summary).
// When every write failed for want of the store, it answers 503 instead:
// retrying the whole request is then safe and right.
func (h *Handler) store(w http.ResponseWriter, r *http.Request, a *access, c *caller, slots []slot, body func(*Response) any) int {
	markRepeats(slots)
	attempted := 0
	for _, s := range slots {
		if s.p != nil {
			attempted++
		}
	}
	failed, firstErr := h.writeAll(r.Context(), c, slots)
	resp := summarize(slots)
	a.count(resp)
	if failed > 0 {
		h.cfg.Logger.Error("ingest write failed", "request_id", a.requestID, "org", c.principal.Org,
			"failed", failed, "error", firstErr)
	}
	if failed > 0 && failed == attempted {
		return openaierr.Write(w, errStore.WithRetryAfter(retryAfter))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(body(resp))
	return http.StatusOK
}

// summarize totals the results.
func summarize(slots []slot) *Response {
	resp := &Response{Results: make([]Result, len(slots))}
	for i, s := range slots {
		resp.Results[i] = s.result
		switch s.result.Status {
		case StatusAccepted:
			resp.Accepted++
		case StatusDuplicate:
			resp.Duplicates++
		default:
			resp.Rejected++
		}
	}
	return resp
}
