package api

import "net/http"

func getMe(c *call) (int, any, error) {
	return http.StatusOK, map[string]any{
		"org": c.org(), "member": c.member.ID, "email": c.member.Email, "role": c.member.Role,
		"token_id": c.principal.TokenID, "workspace": c.principal.Workspace, "scopes": c.principal.Scopes,
	}, nil
}
