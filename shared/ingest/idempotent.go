package ingest

import (
	"net/http"

	"github.com/tollgate-dev/tollgate/shared/idempotency"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// idempotent handles a request's Idempotency-Key, after authentication and
// once the body is read. Without the header it changes nothing. With it,
// a retry of the same batch gets the first answer again (rather than a
// list of duplicates), another body under the key is 422 and a retry while
// the first runs is 409; proceed is then false and the answer is written.
// Otherwise the returned writer records the answer, and finish (deferred
// by the caller) stores it — or frees the key after a 5xx, so the retry
// runs.
func (h *Handler) idempotent(w http.ResponseWriter, r *http.Request, a *access, c *caller, body []byte) (
	_ http.ResponseWriter, finish func(), proceed bool) {
	key := r.Header.Get(idempotency.Header)
	if key == "" || h.cfg.Idempotency == nil {
		return w, func() {}, true
	}
	scope := secrets.Scope{Org: c.principal.Org, DynamoDB: c.scoped.DynamoDB, KMS: c.scoped.KMS}
	owned := c.principal.TokenID + "/" + key
	stored, err := h.cfg.Idempotency.Begin(r.Context(), c.scoped.DynamoDB, scope, owned,
		idempotency.Fingerprint(r.URL.Path, body))
	if err != nil {
		a.status = openaierr.Write(w, err)
		return w, nil, false
	}
	if stored != nil {
		stored.Replay(w)
		a.status = stored.Status
		return w, nil, false
	}
	rec := &idempotency.Recorder{ResponseWriter: w}
	return rec, func() {
		ctx := r.Context()
		if a.status >= 500 {
			if err := h.cfg.Idempotency.Abandon(ctx, c.scoped.DynamoDB, c.principal.Org, owned); err != nil {
				h.cfg.Logger.WarnContext(ctx, "free idempotency key", "request_id", a.requestID, "error", err)
			}
			return
		}
		if err := h.cfg.Idempotency.Finish(ctx, c.scoped.DynamoDB, scope, owned, rec.Response(a.status)); err != nil {
			h.cfg.Logger.WarnContext(ctx, "store idempotent answer", "request_id", a.requestID, "error", err)
		}
	}, true
}
