package token_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/token"
)

func TestCreateAuthenticatesAsTheSpec(t *testing.T) {
	e := newEnv(t)
	sp := e.spec()
	sp.Member = id.New(id.Member)
	sp.Scopes = []string{auth.ScopeRead, auth.ScopeInference} // any order
	sp.CapNano, sp.RPM, sp.TPM = 5_000_000_000, 60, 10_000
	sp.ExpiresIn = 30 * 24 * time.Hour
	secret, tok, err := e.m.Create(e.ctx, e.db, lookups, e.org, sp)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.WellFormed(secret) || !id.Valid(id.Token, tok.ID) {
		t.Fatalf("secret %q well-formed=%v, id %q", auth.Display(secret), auth.WellFormed(secret), tok.ID)
	}
	now := e.clock.Now()
	want := token.Token{
		ID: tok.ID, Name: sp.Name, Prefix: auth.Display(secret), Workspace: sp.Workspace, Member: sp.Member,
		Scopes: []string{auth.ScopeInference, auth.ScopeRead}, Created: now, Expires: now.Add(sp.ExpiresIn),
		CapNano: sp.CapNano, RPM: sp.RPM, TPM: sp.TPM, Status: token.StatusActive,
	}
	if !equal(tok, want) {
		t.Fatalf("created %+v\nwant     %+v", tok, want)
	}
	if got := e.get(tok.ID); !equal(got, want) {
		t.Fatalf("get %+v\nwant %+v", got, want)
	}

	p := e.mustWork(secret, "after create")
	scopes := slices.Sorted(slices.Values(p.Scopes))
	if p.Workspace != sp.Workspace || p.TokenID != tok.ID || p.Member != sp.Member ||
		!slices.Equal(scopes, []string{auth.ScopeInference, auth.ScopeRead}) || !p.Expires.Equal(want.Expires) ||
		p.CapNano != sp.CapNano || p.RPM != sp.RPM || p.TPM != sp.TPM {
		t.Fatalf("principal %+v does not match the spec %+v", p, sp)
	}
	if !p.Has(auth.ScopeRead) || p.Has(auth.ScopeAdmin) {
		t.Fatalf("scopes %v", p.Scopes)
	}
}

func TestServiceTokenHasNoMember(t *testing.T) {
	e := newEnv(t)
	secret, tok := e.create(e.spec())
	if p := e.mustWork(secret, "service token"); p.Member != "" || tok.Member != "" {
		t.Fatalf("member %q / %q, want none", p.Member, tok.Member)
	}
	// Defaults: a year, no limits.
	if got := tok.Expires.Sub(tok.Created); got != 365*24*time.Hour {
		t.Fatalf("default lifetime %s", got)
	}
}

func TestListNeverShowsTheSecret(t *testing.T) {
	e := newEnv(t)
	first, older := e.create(e.spec())
	e.clock.Advance(time.Minute)
	second, newer := e.create(e.spec())
	rotated := e.rotate(newer.ID, time.Hour)

	list, err := e.m.List(e.ctx, e.db, e.org)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != newer.ID || list[1].ID != older.ID {
		t.Fatalf("list %+v, want newest (%s) first then %s", list, newer.ID, older.ID)
	}
	if list[0].Status != token.StatusRotating || list[1].Status != token.StatusActive {
		t.Fatalf("statuses %s, %s", list[0].Status, list[1].Status)
	}
	body, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{first, second, rotated} {
		if strings.Contains(string(body), secret) || strings.Contains(string(body), auth.Hash(secret)) {
			t.Fatalf("the listing shows a secret or its hash: %s", body)
		}
	}
	if !strings.Contains(string(body), auth.Display(rotated)) {
		t.Fatalf("the listing should show the current secret's prefix: %s", body)
	}

	// The stored record holds the hash, never the plaintext.
	out, err := e.db.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: aws.String(stack.TableName), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "ORG#" + e.org}, "sk": &types.AttributeValueMemberS{Value: "TOKEN#" + older.ID},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if h := out.Item["hash"].(*types.AttributeValueMemberS).Value; h != auth.Hash(first) {
		t.Fatalf("record hash %q", h)
	}
	for k, v := range out.Item {
		if sv, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(sv.Value, first) {
			t.Fatalf("record attribute %s holds the plaintext", k)
		}
	}
}

func TestGetUnknownOrForeignToken(t *testing.T) {
	e := newEnv(t)
	other := newEnv(t)
	_, foreign := other.create(other.spec())
	for _, tokID := range []string{id.New(id.Token), foreign.ID, "tok_nope", ""} {
		_, err := e.m.Get(e.ctx, e.db, e.org, tokID)
		wantCode(t, err, apperr.NotFound, token.CodeNotFound)
	}
}

// equal compares tokens field by field (times with Equal).
func equal(a, b token.Token) bool {
	same := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return a.ID == b.ID && a.Name == b.Name && a.Prefix == b.Prefix && a.Workspace == b.Workspace &&
		a.Member == b.Member && slices.Equal(a.Scopes, b.Scopes) && a.Created.Equal(b.Created) &&
		a.Expires.Equal(b.Expires) && same(a.LastUsed, b.LastUsed) && same(a.Revoked, b.Revoked) &&
		same(a.GraceEnds, b.GraceEnds) && a.CapNano == b.CapNano && a.RPM == b.RPM && a.TPM == b.TPM &&
		a.Status == b.Status
}
