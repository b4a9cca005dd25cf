package token_test

import (
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/token"
)

func TestTouchRecordsLastUseAtMostOncePerInterval(t *testing.T) {
	e := newEnv(t)
	_, tok := e.create(e.spec())
	touch := token.NewToucher(stack.TableName, time.Minute, e.clock.Now)
	lastUsed := func() *time.Time {
		t.Helper()
		got, err := e.m.Get(e.ctx, e.db, e.org, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastUsed
	}
	if lastUsed() != nil {
		t.Fatal("a new token has a last use")
	}
	first := e.clock.Now()
	if err := touch.Touch(e.ctx, e.db, e.org, tok.ID); err != nil {
		t.Fatal(err)
	}
	if lu := lastUsed(); lu == nil || !lu.Equal(first) {
		t.Fatalf("last use %v, want %v", lu, first)
	}
	e.clock.Advance(30 * time.Second)
	_ = touch.Touch(e.ctx, e.db, e.org, tok.ID)
	if lu := lastUsed(); !lu.Equal(first) {
		t.Fatalf("written again within the interval: %v", lu)
	}
	e.clock.Advance(31 * time.Second)
	_ = touch.Touch(e.ctx, e.db, e.org, tok.ID)
	if lu := lastUsed(); !lu.Equal(first.Add(61 * time.Second)) {
		t.Fatalf("not written after the interval: %v", lu)
	}
	// A token without a record (purged, or never made) gets none.
	ghost := id.New(id.Token)
	if err := touch.Touch(e.ctx, e.db, e.org, ghost); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Get(e.ctx, e.db, e.org, ghost); err == nil {
		t.Fatal("touch created a token record")
	}
}
