package api

import (
	"bytes"
	"io"
	"net/http"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/idempotency"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// idempotent runs a mutating request that carries an Idempotency-Key at
// most once: a retry with the same key and body gets the stored answer
// (errors included), another body under the key is 422, and a retry while
// the first still runs is 409. Keys are per API key, so two callers never
// see each other's answers. A 5xx answer is not stored: the key is freed
// and the retry runs again.
func (s *Server) idempotent(w http.ResponseWriter, c *call, h handlerFunc, key string) (int, error) {
	body, err := io.ReadAll(c.r.Body)
	if err != nil {
		return 0, apperr.New(apperr.TooLarge, "body_too_large", "the body is over 64 KiB")
	}
	c.r.Body = io.NopCloser(bytes.NewReader(body))
	scope := secrets.Scope{Org: c.org(), DynamoDB: c.scoped.DynamoDB, KMS: c.scoped.KMS}
	scoped := c.principal.TokenID + "/" + key
	if !idempotency.ValidKey(key) {
		return 0, idempotency.ErrBadKey
	}
	fp := idempotency.Fingerprint(c.op.ID+" "+c.r.URL.RequestURI(), body)
	stored, err := s.cfg.Idempotency.Begin(c.ctx, c.scoped.DynamoDB, scope, scoped, fp)
	if err != nil {
		return 0, err
	}
	if stored != nil {
		stored.Replay(w)
		return stored.Status, nil
	}
	rec := &idempotency.Recorder{ResponseWriter: w}
	status, err := s.respond(rec, c, h)
	if err != nil {
		status = writeError(rec, err)
	}
	if status >= 500 {
		if ferr := s.cfg.Idempotency.Abandon(c.ctx, c.scoped.DynamoDB, c.org(), scoped); ferr != nil {
			s.cfg.Logger.WarnContext(c.ctx, "free idempotency key", "error", ferr)
		}
		return status, nil
	}
	if ferr := s.cfg.Idempotency.Finish(c.ctx, c.scoped.DynamoDB, scope, scoped, rec.Response(status)); ferr != nil {
		// The change happened and its answer was sent, but not stored: a
		// retry sees "in progress" until the lease ends (2 minutes) and
		// then runs again. Logged, because that double failure is the one
		// case a retry can repeat a change.
		s.cfg.Logger.WarnContext(c.ctx, "store idempotent answer", "error", ferr)
	}
	return status, nil
}
