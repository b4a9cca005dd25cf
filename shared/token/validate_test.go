package token_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/token"
)

func TestInvalidSpecs(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		change func(*token.Spec)
		code   string
		param  string
	}{
		{"empty name", func(s *token.Spec) { s.Name = "" }, token.CodeInvalidName, "name"},
		{"blank name", func(s *token.Spec) { s.Name = "   " }, token.CodeInvalidName, "name"},
		{"long name", func(s *token.Spec) { s.Name = strings.Repeat("é", 101) }, token.CodeInvalidName, "name"},
		{"invalid UTF-8", func(s *token.Spec) { s.Name = "key\xff" }, token.CodeInvalidName, "name"},
		{"control character", func(s *token.Spec) { s.Name = "key\n2" }, token.CodeInvalidName, "name"},
		{"no scopes", func(s *token.Spec) { s.Scopes = nil }, token.CodeInvalidScopes, "scopes"},
		{"unknown scope", func(s *token.Spec) { s.Scopes = []string{"root"} }, token.CodeInvalidScopes, "scopes"},
		{"duplicate scope", func(s *token.Spec) { s.Scopes = []string{auth.ScopeRead, auth.ScopeRead} }, token.CodeInvalidScopes, "scopes"},
		{"no workspace", func(s *token.Spec) { s.Workspace = "" }, token.CodeInvalidWorkspace, "workspace"},
		{"workspace not an ID", func(s *token.Spec) { s.Workspace = id.New(id.Org) }, token.CodeInvalidWorkspace, "workspace"},
		{"member not an ID", func(s *token.Spec) { s.Member = "ada@example.com" }, token.CodeInvalidMember, "member"},
		{"expiry too short", func(s *token.Spec) { s.ExpiresIn = 59 * time.Minute }, token.CodeInvalidExpiry, "expires_in"},
		{"expiry negative", func(s *token.Spec) { s.ExpiresIn = -time.Hour }, token.CodeInvalidExpiry, "expires_in"},
		{"expiry too long", func(s *token.Spec) { s.ExpiresIn = 2*365*24*time.Hour + time.Second }, token.CodeInvalidExpiry, "expires_in"},
		{"negative cap", func(s *token.Spec) { s.CapNano = -1 }, token.CodeInvalidLimit, "cap_nano"},
		{"negative rpm", func(s *token.Spec) { s.RPM = -1 }, token.CodeInvalidLimit, "rpm"},
		{"negative tpm", func(s *token.Spec) { s.TPM = -1 }, token.CodeInvalidLimit, "tpm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sp := e.spec()
			sp.Scopes = []string{auth.ScopeInference, auth.ScopeAdmin}
			c.change(&sp)
			secret, _, err := e.m.Create(e.ctx, e.db, lookups, e.org, sp)
			wantCode(t, err, apperr.Invalid, c.code)
			if p := apperr.As(err).Param; p != c.param {
				t.Fatalf("param %q, want %q", p, c.param)
			}
			if secret != "" {
				t.Fatal("a refused create returned a secret")
			}
		})
	}
	list, err := e.m.List(e.ctx, e.db, e.org)
	if err != nil || len(list) != 0 {
		t.Fatalf("refused creates left %d tokens (%v)", len(list), err)
	}

	// The edges are accepted.
	sp := e.spec()
	sp.Name, sp.ExpiresIn = strings.Repeat("é", 100), time.Hour
	sp.Scopes = auth.AllScopes
	e.create(sp)
	sp.ExpiresIn = 2 * 365 * 24 * time.Hour
	e.create(sp)

	_, _, err = e.m.Create(e.ctx, e.db, lookups, "not-an-org", e.spec())
	wantCode(t, err, apperr.Invalid, token.CodeInvalidOrg)
}
