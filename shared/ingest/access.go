package ingest

import (
	"context"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/lambdahttp"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
)

// retryAfter is what a client is told to wait when the store is unavailable.
const retryAfter = time.Second

// access is what one request's access log line says: counts and codes,
// never an event's text or the token.
type access struct {
	requestID string
	route     string
	start     time.Time
	status    int
	principal *auth.Principal
	events    int
	accepted  int
	rejected  int
	dups      int
	skipped   int
	codes     map[string]int
}

func (h *Handler) startAccess(r *http.Request, route string) *access {
	rid := lambdahttp.RequestID(r.Context())
	if rid == "" {
		rid = id.New(id.Request)
	}
	return &access{requestID: rid, route: route, start: h.cfg.Clock()}
}

// count adds a response's totals and rejection codes.
func (a *access) count(resp *Response) {
	a.events += len(resp.Results)
	a.accepted, a.rejected, a.dups = resp.Accepted, resp.Rejected, resp.Duplicates
	for _, res := range resp.Results {
		if res.Code != "" {
			if a.codes == nil {
				a.codes = map[string]int{}
			}
			a.codes[res.Code]++
		}
	}
}

// fail answers with err and logs the causes a client is not shown.
func (h *Handler) fail(w http.ResponseWriter, a *access, err error) int {
	if k := apperr.KindOf(err); k == apperr.Internal || k == apperr.Unavailable {
		h.cfg.Logger.Error("ingest request failed", "request_id", a.requestID, "error", err)
	}
	return openaierr.Write(w, err)
}

func (h *Handler) logAccess(ctx context.Context, a *access) {
	attrs := []slog.Attr{
		slog.String("request_id", a.requestID), slog.String("route", a.route), slog.Int("status", a.status),
		slog.Int64("latency_ms", h.cfg.Clock().Sub(a.start).Milliseconds()),
	}
	if p := a.principal; p != nil {
		attrs = append(attrs, slog.String("org", p.Org), slog.String("workspace", p.Workspace), slog.String("token_id", p.TokenID))
	}
	if a.events > 0 || a.skipped > 0 {
		attrs = append(attrs, slog.Int("events", a.events), slog.Int("accepted", a.accepted), slog.Int("rejected", a.rejected),
			slog.Int("duplicates", a.dups), slog.Int("skipped", a.skipped))
	}
	if len(a.codes) > 0 {
		attrs = append(attrs, slog.String("rejection_codes", codeSummary(a.codes)))
	}
	h.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "ingest", attrs...)
}

// codeSummary renders rejection counts as "code=n,…", sorted.
func codeSummary(codes map[string]int) string {
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k + "=" + strconv.Itoa(codes[k]))
	}
	return b.String()
}
