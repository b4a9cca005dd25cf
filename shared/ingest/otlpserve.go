package ingest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
)

// otlpResponse is ExportTraceServiceResponse. PartialSuccess is set only
// when spans were rejected: exporters warn whenever it is present.
type otlpResponse struct {
	PartialSuccess *partialSuccess `json:"partialSuccess,omitempty"`
}

type partialSuccess struct {
	RejectedSpans int64  `json:"rejectedSpans"`
	ErrorMessage  string `json:"errorMessage,omitempty"`
}

var errExportShape = apperr.New(apperr.Invalid, "invalid_body", "the body must be an OTLP ExportTraceServiceRequest in JSON")

// serveOTLP is POST /v1/otlp/v1/traces: OTLP/HTTP JSON spans. Spans that
// record a model call become events of the token's workspace; other spans
// are skipped, neither stored nor rejected.
func (h *Handler) serveOTLP(w http.ResponseWriter, r *http.Request) {
	a := h.startAccess(r, "otlp")
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
	var req exportRequest
	if err := json.Unmarshal(body, &req); err != nil {
		a.status = h.fail(w, a, apperr.Wrap(fmt.Errorf("decode export: %w", err), errExportShape.Kind, errExportShape.Code, errExportShape.Message))
		return
	}
	total := 0
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			total += len(ss.Spans)
		}
	}
	if total > MaxBatchEvents {
		a.status = h.fail(w, a, apperr.New(apperr.TooLarge, "too_many_spans",
			fmt.Sprintf("an export holds at most %d spans", MaxBatchEvents)))
		return
	}
	pol := c.policy(h.cfg.Clock())
	slots := make([]slot, 0, total)
	index := -1
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, raw := range ss.Spans {
				index++
				var sp span
				if err := json.Unmarshal(raw, &sp); err != nil {
					s := slot{result: Result{Index: index}}
					s.rejectSlot(reject("invalid_span", "", "the span is not a valid OTLP span"))
					slots = append(slots, s)
					continue
				}
				at := attrs{}
				at.add(rs.Resource.Attributes)
				at.add(sp.Attributes)
				if !at.modelCall() {
					a.skipped++
					continue
				}
				s := slot{result: Result{Index: index}}
				ev, rej := spanEvent(&sp, at)
				if rej == nil {
					s.result.ID = ev.ID
					s.p, rej = pol.check(ev)
				}
				if rej != nil {
					s.rejectSlot(rej)
				}
				slots = append(slots, s)
			}
		}
	}
	a.status = h.store(w, r, a, c, slots, func(resp *Response) any {
		if resp.Rejected == 0 {
			return otlpResponse{}
		}
		return otlpResponse{PartialSuccess: &partialSuccess{RejectedSpans: int64(resp.Rejected), ErrorMessage: rejectionSummary(resp)}}
	})
}

// rejectionSummary names the first few rejected spans and why, for the
// exporter's log.
func rejectionSummary(resp *Response) string {
	const shown = 5
	var parts []string
	for _, res := range resp.Results {
		if res.Status != StatusRejected {
			continue
		}
		if len(parts) == shown {
			parts = append(parts, fmt.Sprintf("and %d more", resp.Rejected-shown))
			break
		}
		who := res.ID
		if who == "" {
			who = fmt.Sprintf("#%d", res.Index)
		}
		parts = append(parts, fmt.Sprintf("span %s: %s (%s)", who, res.Code, res.Message))
	}
	return fmt.Sprintf("%d spans rejected: %s", resp.Rejected, strings.Join(parts, "; "))
}
