package token_test

import (
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/token"
)

func TestRotateWithGrace(t *testing.T) {
	e := newEnv(t)
	old, tok := e.create(e.spec())
	start := e.clock.Now()
	fresh, rotated, err := e.m.Rotate(e.ctx, e.db, lookups, e.org, tok.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old || rotated.ID != tok.ID || rotated.Status != token.StatusRotating ||
		rotated.GraceEnds == nil || !rotated.GraceEnds.Equal(start.Add(time.Hour)) || !rotated.Expires.Equal(tok.Expires) {
		t.Fatalf("rotated %+v", rotated)
	}
	if p := e.mustWork(fresh, "new secret"); p.TokenID != tok.ID || p.Workspace != tok.Workspace {
		t.Fatalf("new secret authenticates as %+v", p)
	}
	e.mustWork(old, "old secret at once")
	e.clock.Advance(59 * time.Minute)
	e.mustWork(old, "old secret at +59m")
	e.clock.Advance(2 * time.Minute)
	e.mustFail(old, "old secret at +61m")
	e.mustWork(fresh, "new secret at +61m")
	if got := e.get(tok.ID); got.Status != token.StatusActive || got.GraceEnds != nil {
		t.Fatalf("after the grace: %+v", got)
	}
	// The old lookup's TTL moved with its grace.
	for _, it := range e.lookupsOf(tok.ID) {
		if v := num(t, it, "valid_until"); v != start.Add(time.Hour).Unix() && v != tok.Expires.Unix() {
			t.Fatalf("lookup valid_until %d", v)
		} else if ttl := num(t, it, "expires_at"); ttl != v+24*3600 {
			t.Fatalf("lookup expires_at %d, valid_until %d", ttl, v)
		}
	}
}

func TestRotateWithoutGrace(t *testing.T) {
	e := newEnv(t)
	old, tok := e.create(e.spec())
	fresh := e.rotate(tok.ID, 0)
	e.mustFail(old, "old secret after a rotation without grace")
	e.mustWork(fresh, "new secret")
	if got := e.get(tok.ID); got.Status != token.StatusActive {
		t.Fatalf("status %s", got.Status)
	}
	if n := len(e.lookupsOf(tok.ID)); n != 1 {
		t.Fatalf("%d lookups left, want only the new one", n)
	}
}

// A second rotation ends the first one's grace: only the secret being
// replaced keeps working, so lookups never pile up.
func TestRotateAgainEndsTheEarlierGrace(t *testing.T) {
	e := newEnv(t)
	s0, tok := e.create(e.spec())
	s1 := e.rotate(tok.ID, time.Hour)
	e.clock.Advance(10 * time.Minute)
	s2 := e.rotate(tok.ID, time.Hour)
	e.mustFail(s0, "the first secret after a second rotation")
	e.mustWork(s1, "the second secret, in its grace")
	e.mustWork(s2, "the newest secret")
	if n := len(e.lookupsOf(tok.ID)); n != 2 {
		t.Fatalf("%d lookups, want 2", n)
	}
	e.clock.Advance(61 * time.Minute)
	e.mustFail(s1, "the second secret after its grace")
	e.mustWork(s2, "the newest secret later")
}

// The grace never outlives the token.
func TestGraceEndsAtExpiry(t *testing.T) {
	e := newEnv(t)
	sp := e.spec()
	sp.ExpiresIn = 2 * time.Hour
	old, tok := e.create(sp)
	e.clock.Advance(90 * time.Minute)
	_, rotated, err := e.m.Rotate(e.ctx, e.db, lookups, e.org, tok.ID, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !rotated.GraceEnds.Equal(tok.Expires) {
		t.Fatalf("grace ends %s, token expires %s", rotated.GraceEnds, tok.Expires)
	}
	e.clock.Advance(31 * time.Minute)
	e.mustFail(old, "old secret past the token's expiry")
}

func TestRotateRefusals(t *testing.T) {
	e := newEnv(t)
	_, tok := e.create(e.spec())
	for _, grace := range []time.Duration{-time.Second, 7*24*time.Hour + time.Second} {
		_, _, err := e.m.Rotate(e.ctx, e.db, lookups, e.org, tok.ID, grace)
		wantCode(t, err, apperr.Invalid, token.CodeInvalidGrace)
	}
	_, _, err := e.m.Rotate(e.ctx, e.db, lookups, e.org, id.New(id.Token), time.Hour)
	wantCode(t, err, apperr.NotFound, token.CodeNotFound)
	other := newEnv(t)
	_, _, err = other.m.Rotate(other.ctx, other.db, lookups, other.org, tok.ID, time.Hour)
	wantCode(t, err, apperr.NotFound, token.CodeNotFound)
}
