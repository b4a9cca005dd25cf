package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/audit"
)

// auditFilter reads the audit routes' query parameters.
func auditFilter(c *call) (audit.Filter, error) {
	q := c.r.URL.Query()
	f := audit.Filter{Action: q.Get("action"), Actor: q.Get("actor"), TargetID: q.Get("target"), Cursor: q.Get("cursor")}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, apperr.New(apperr.Invalid, "invalid_time", name+" must be an RFC 3339 time").WithParam(name)
			}
			*dst = t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > audit.MaxLimit {
			return f, apperr.New(apperr.Invalid, "invalid_limit", "limit must be 1-500").WithParam("limit")
		}
		f.Limit = n
	}
	return f, nil
}

func listAudit(c *call) (int, any, error) {
	f, err := auditFilter(c)
	if err != nil {
		return 0, nil, err
	}
	entries, next, err := c.srv.cfg.Audit.List(c.ctx, c.scoped.DynamoDB, c.org(), f)
	if err != nil {
		return 0, nil, err
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	return http.StatusOK, map[string]any{"data": entries, "next_cursor": next}, nil
}

// auditExport streams the log; the export itself is audited first, so a
// failed audit write refuses the export.
type auditExport struct {
	c      *call
	f      audit.Filter
	format string
}

func exportAudit(c *call) (int, any, error) {
	f, err := auditFilter(c)
	if err != nil {
		return 0, nil, err
	}
	format := c.r.URL.Query().Get("format")
	if format == "" {
		format = audit.FormatJSONL
	}
	if format != audit.FormatJSONL && format != audit.FormatCSV {
		return 0, nil, apperr.New(apperr.Invalid, "invalid_export_format", "format must be jsonl or csv").WithParam("format")
	}
	if err := c.record("audit.export", "org", c.org(), nil, map[string]any{"format": format}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, auditExport{c: c, f: f, format: format}, nil
}

func (e auditExport) stream(w http.ResponseWriter) (int, error) {
	ctype := "application/x-ndjson"
	if e.format == audit.FormatCSV {
		ctype = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="audit.`+e.format+`"`)
	w.WriteHeader(http.StatusOK)
	if err := e.c.srv.cfg.Audit.Export(e.c.ctx, e.c.scoped.DynamoDB, e.c.org(), e.f, e.format, w); err != nil {
		// Headers are gone: the truncated stream is the signal; log it.
		e.c.srv.cfg.Logger.ErrorContext(e.c.ctx, "audit export interrupted", "org", e.c.org(), "error", err)
	}
	return http.StatusOK, nil
}
