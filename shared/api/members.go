package api

import (
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/member"
)

// memberView is a member as the API shows it.
type memberView struct {
	ID      string      `json:"id"`
	Email   string      `json:"email"`
	Name    string      `json:"name,omitempty"`
	Role    member.Role `json:"role"`
	Created time.Time   `json:"created_at"`
}

func viewMember(m member.Member) memberView {
	return memberView{ID: m.ID, Email: m.Email, Name: m.Name, Role: m.Role, Created: m.Created}
}

func listMembers(c *call) (int, any, error) {
	list, err := c.srv.cfg.Members.List(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	out := make([]memberView, len(list))
	for i, m := range list {
		out[i] = viewMember(m)
	}
	return http.StatusOK, map[string]any{"data": out}, nil
}

type memberInput struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

func addMember(c *call) (int, any, error) {
	var in memberInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	role, err := member.ParseRole(in.Role)
	if err != nil {
		return 0, nil, err
	}
	if !member.CanAssign(c.member.Role, role) {
		return 0, nil, cannotAssign(c.member.Role, role)
	}
	m, err := c.srv.cfg.Members.Add(c.ctx, c.scoped.DynamoDB, c.org(), member.Member{Email: in.Email, Name: in.Name, Role: role})
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("member.add", "member", m.ID, nil, map[string]any{"email": m.Email, "role": string(m.Role)}); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, viewMember(m), nil
}

type roleInput struct {
	Role string `json:"role"`
}

func changeMemberRole(c *call) (int, any, error) {
	var in roleInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	role, err := member.ParseRole(in.Role)
	if err != nil {
		return 0, nil, err
	}
	before, err := c.srv.cfg.Members.Get(c.ctx, c.scoped.DynamoDB, c.org(), c.r.PathValue("member"))
	if err != nil {
		return 0, nil, err
	}
	if !member.CanChange(c.member.Role, before.Role, role) {
		return 0, nil, cannotAssign(c.member.Role, role)
	}
	after, err := c.srv.cfg.Members.SetRole(c.ctx, c.scoped.DynamoDB, c.org(), before.ID, role)
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("member.role", "member", after.ID, map[string]any{"role": string(before.Role)},
		map[string]any{"role": string(after.Role)}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, viewMember(after), nil
}

// removeMember removes a member and revokes every token that acts for
// them, so a removed person keeps no way in, the gateway included.
func removeMember(c *call) (int, any, error) {
	m, err := c.srv.cfg.Members.Get(c.ctx, c.scoped.DynamoDB, c.org(), c.r.PathValue("member"))
	if err != nil {
		return 0, nil, err
	}
	if !member.CanAssign(c.member.Role, m.Role) {
		return 0, nil, cannotAssign(c.member.Role, m.Role)
	}
	if err := c.srv.cfg.Members.Remove(c.ctx, c.scoped.DynamoDB, c.org(), m.ID); err != nil {
		return 0, nil, err
	}
	tokens, err := c.srv.cfg.Tokens.List(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	revoked := 0
	for _, t := range tokens {
		if t.Member != m.ID || t.Revoked != nil {
			continue
		}
		if _, err := c.srv.cfg.Tokens.Revoke(c.ctx, c.scoped.DynamoDB, c.srv.cfg.Lookups, c.org(), t.ID); err != nil {
			return 0, nil, err
		}
		revoked++
	}
	if err := c.record("member.remove", "member", m.ID, map[string]any{"email": m.Email, "role": string(m.Role)},
		map[string]any{"tokens_revoked": revoked}); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func cannotAssign(actor, target member.Role) error {
	return apperr.New(apperr.Forbidden, "cannot_assign_role",
		"the "+string(actor)+" role may not manage "+string(target)+" members")
}
