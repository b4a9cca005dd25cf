package api

import (
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// pathWorkspace is the path's workspace, which must be in the caller's
// org's directory; anything else is 404, never "exists elsewhere".
func pathWorkspace(c *call) (workspace.Entry, error) {
	ws := c.r.PathValue("workspace")
	if !id.Valid(id.Workspace, ws) {
		return workspace.Entry{}, notFound("workspace_not_found", "no such workspace")
	}
	return c.srv.cfg.Workspaces.Get(c.ctx, c.scoped.DynamoDB, c.org(), ws)
}
