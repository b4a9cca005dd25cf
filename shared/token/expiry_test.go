package token_test

import (
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/token"
)

func TestExpiry(t *testing.T) {
	e := newEnv(t)
	sp := e.spec()
	sp.ExpiresIn = 2 * time.Hour
	secret, tok := e.create(sp)
	e.clock.Advance(2*time.Hour - time.Minute)
	e.mustWork(secret, "a minute before expiry")
	e.clock.Advance(2 * time.Minute)
	_, err := e.authenticate(secret)
	wantCode(t, err, apperr.Unauthenticated, "expired_api_key")

	list, err := e.m.List(e.ctx, e.db, e.org)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != tok.ID || list[0].Status != token.StatusExpired {
		t.Fatalf("list %+v, want the token as expired", list)
	}
	_, _, err = e.m.Rotate(e.ctx, e.db, lookups, e.org, tok.ID, time.Hour)
	wantCode(t, err, apperr.Conflict, token.CodeExpired)
	// Revoking an expired token is allowed (and tidies its lookup).
	if _, err := e.m.Revoke(e.ctx, e.db, lookups, e.org, tok.ID); err != nil {
		t.Fatal(err)
	}
}
