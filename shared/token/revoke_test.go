package token_test

import (
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/token"
)

func TestRevoke(t *testing.T) {
	e := newEnv(t)
	old, tok := e.create(e.spec())
	fresh := e.rotate(tok.ID, time.Hour) // a secret in grace must die too
	e.clock.Advance(time.Minute)
	revoked, err := e.m.Revoke(e.ctx, e.db, lookups, e.org, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if revoked.Status != token.StatusRevoked || revoked.Revoked == nil || !revoked.Revoked.Equal(e.clock.Now()) {
		t.Fatalf("revoked %+v", revoked)
	}
	e.mustFail(fresh, "current secret after revoke")
	e.mustFail(old, "secret in grace after revoke")
	if n := len(e.lookupsOf(tok.ID)); n != 0 {
		t.Fatalf("%d lookups left after revoke", n)
	}

	e.clock.Advance(time.Minute)
	again, err := e.m.Revoke(e.ctx, e.db, lookups, e.org, tok.ID)
	if err != nil {
		t.Fatalf("second revoke: %v", err)
	}
	if !again.Revoked.Equal(*revoked.Revoked) {
		t.Fatalf("a second revoke moved revoked_at from %s to %s", revoked.Revoked, again.Revoked)
	}
	_, _, err = e.m.Rotate(e.ctx, e.db, lookups, e.org, tok.ID, time.Hour)
	wantCode(t, err, apperr.Conflict, token.CodeRevoked)
	if got := e.get(tok.ID); got.Status != token.StatusRevoked {
		t.Fatalf("listed as %s", got.Status)
	}
	_, err = e.m.Revoke(e.ctx, e.db, lookups, e.org, id.New(id.Token))
	wantCode(t, err, apperr.NotFound, token.CodeNotFound)
}

// With a warm cache a revoked secret works for at most the authenticator's
// CacheTTL: that is the documented revocation bound.
func TestRevocationReachesAWarmCacheWithinItsTTL(t *testing.T) {
	e := newEnv(t)
	secret, tok := e.create(e.spec())
	a := auth.New(auth.Config{Table: stack.TableName, DB: gateway, CacheTTL: 5 * time.Second, Clock: e.clock.Now})
	if _, err := a.Authenticate(e.ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Revoke(e.ctx, e.db, lookups, e.org, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(e.ctx, secret); err != nil {
		t.Fatalf("within the cache TTL the cached answer stands: %v", err)
	}
	e.clock.Advance(5 * time.Second)
	_, err := a.Authenticate(e.ctx, secret)
	wantCode(t, err, apperr.Unauthenticated, "invalid_api_key")
}
