package token_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/token"
)

// interleave is the real lookup client that runs another request just
// before its first PutItem: a deterministic stand-in for two management
// API calls racing on one token.
type interleave struct {
	token.LookupDB
	before func()
}

func (i *interleave) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if f := i.before; f != nil {
		i.before = nil
		f()
	}
	return i.LookupDB.PutItem(ctx, in, o...)
}

func TestRevokeDuringRotateWins(t *testing.T) {
	e := newEnv(t)
	old, tok := e.create(e.spec())
	db := &interleave{LookupDB: lookups, before: func() {
		if _, err := e.m.Revoke(e.ctx, e.db, lookups, e.org, tok.ID); err != nil {
			t.Errorf("revoke: %v", err)
		}
	}}
	secret, _, err := e.m.Rotate(e.ctx, e.db, db, e.org, tok.ID, time.Hour)
	wantCode(t, err, apperr.Conflict, token.CodeRevoked)
	if secret != "" {
		t.Fatal("a refused rotation returned a secret")
	}
	e.mustFail(old, "old secret")
	if n := len(e.lookupsOf(tok.ID)); n != 0 {
		t.Fatalf("%d lookups survive the revoke", n)
	}
}

// A token revoked between Create's two writes (listed, then revoked at
// once) must not end up with a working lookup.
func TestRevokeDuringCreateWins(t *testing.T) {
	e := newEnv(t)
	db := &interleave{LookupDB: lookups}
	db.before = func() {
		list, err := e.m.List(e.ctx, e.db, e.org)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %+v %v", list, err)
		}
		if _, err := e.m.Revoke(e.ctx, e.db, lookups, e.org, list[0].ID); err != nil {
			t.Errorf("revoke: %v", err)
		}
	}
	secret, _, err := e.m.Create(e.ctx, e.db, db, e.org, e.spec())
	wantCode(t, err, apperr.Conflict, token.CodeRevoked)
	if secret != "" {
		t.Fatal("a refused create returned a secret")
	}
	if n := len(e.lookupsOf("")); n != 0 {
		t.Fatalf("%d lookups survive the revoke", n)
	}
}

// Of two rotations racing, one wins; the loser hands out nothing and
// leaves nothing working behind.
func TestConcurrentRotationsOneWins(t *testing.T) {
	e := newEnv(t)
	old, tok := e.create(e.spec())
	var winner string
	db := &interleave{LookupDB: lookups, before: func() { winner = e.rotate(tok.ID, time.Hour) }}
	secret, _, err := e.m.Rotate(e.ctx, e.db, db, e.org, tok.ID, time.Hour)
	wantCode(t, err, apperr.Conflict, token.CodeConflict)
	if secret != "" {
		t.Fatal("the losing rotation returned a secret")
	}
	e.mustWork(winner, "the winning rotation's secret")
	e.mustWork(old, "the old secret in the winner's grace")
	if n := len(e.lookupsOf(tok.ID)); n != 2 {
		t.Fatalf("%d lookups, want the winner's and the old one", n)
	}
}
