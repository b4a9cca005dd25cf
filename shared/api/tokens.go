package api

import (
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/member"
	"github.com/tollgate-dev/tollgate/shared/token"
)

// created is a token with its secret: the one response that carries it.
type created struct {
	token.Token
	Secret string `json:"secret"`
}

func listTokens(c *call) (int, any, error) {
	list, err := c.srv.cfg.Tokens.List(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	if list == nil {
		list = []token.Token{}
	}
	return http.StatusOK, map[string]any{"data": list}, nil
}

type tokenInput struct {
	Name          string   `json:"name"`
	Workspace     string   `json:"workspace"`
	Scopes        []string `json:"scopes"`
	ExpiresInDays *int64   `json:"expires_in_days"`
	CapNano       int64    `json:"cap_nano"`
	RPM           int64    `json:"rpm"`
	TPM           int64    `json:"tpm"`
}

// createToken makes a token that acts for the caller: its power on this
// API is the caller's role at each call, never more.
func createToken(c *call) (int, any, error) {
	var in tokenInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	if _, err := c.srv.cfg.Workspaces.Get(c.ctx, c.scoped.DynamoDB, c.org(), in.Workspace); err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return 0, nil, apperr.New(apperr.Invalid, "invalid_workspace", "no such workspace").WithParam("workspace")
		}
		return 0, nil, err
	}
	spec := token.Spec{Name: in.Name, Workspace: in.Workspace, Member: c.member.ID, Scopes: in.Scopes,
		CapNano: in.CapNano, RPM: in.RPM, TPM: in.TPM}
	if in.ExpiresInDays != nil {
		if *in.ExpiresInDays < 1 || *in.ExpiresInDays > 730 {
			return 0, nil, apperr.New(apperr.Invalid, "invalid_expiry", "expires_in_days must be 1-730").WithParam("expires_in_days")
		}
		spec.ExpiresIn = time.Duration(*in.ExpiresInDays) * 24 * time.Hour
	}
	secret, t, err := c.srv.cfg.Tokens.Create(c.ctx, c.scoped.DynamoDB, c.srv.cfg.Lookups, c.org(), spec)
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("token.create", "token", t.ID, nil, map[string]any{
		"name": t.Name, "workspace": t.Workspace, "scopes": t.Scopes, "expires": t.Expires}); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, created{Token: t, Secret: secret}, nil
}

// ownToken loads the path's token and checks the caller may change it:
// admins and owners any token, others only their own.
func ownToken(c *call) (token.Token, error) {
	t, err := c.srv.cfg.Tokens.Get(c.ctx, c.scoped.DynamoDB, c.org(), c.r.PathValue("token"))
	if err != nil {
		return t, err
	}
	if t.Member != c.member.ID && c.member.Role.Rank() < member.Admin.Rank() {
		return t, apperr.New(apperr.Forbidden, "not_token_owner", "only admins may change other members' API keys")
	}
	return t, nil
}

type rotateInput struct {
	GraceSeconds int64 `json:"grace_seconds"`
}

func rotateToken(c *call) (int, any, error) {
	var in rotateInput
	if c.r.ContentLength != 0 {
		if err := c.decode(&in); err != nil {
			return 0, nil, err
		}
	}
	if in.GraceSeconds < 0 || in.GraceSeconds > 7*24*3600 {
		return 0, nil, apperr.New(apperr.Invalid, "invalid_grace", "grace_seconds must be 0-604800").WithParam("grace_seconds")
	}
	t, err := ownToken(c)
	if err != nil {
		return 0, nil, err
	}
	grace := time.Duration(in.GraceSeconds) * time.Second
	secret, t, err := c.srv.cfg.Tokens.Rotate(c.ctx, c.scoped.DynamoDB, c.srv.cfg.Lookups, c.org(), t.ID, grace)
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("token.rotate", "token", t.ID, nil, map[string]any{"grace_seconds": in.GraceSeconds}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, created{Token: t, Secret: secret}, nil
}

func revokeToken(c *call) (int, any, error) {
	t, err := ownToken(c)
	if err != nil {
		return 0, nil, err
	}
	if _, err := c.srv.cfg.Tokens.Revoke(c.ctx, c.scoped.DynamoDB, c.srv.cfg.Lookups, c.org(), t.ID); err != nil {
		return 0, nil, err
	}
	if err := c.record("token.revoke", "token", t.ID, map[string]any{"status": t.Status}, map[string]any{"status": token.StatusRevoked}); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
