package api

import (
	"net/http"

	"github.com/tollgate-dev/tollgate/shared/id"
)

type workspaceInput struct {
	Name string `json:"name"`
}

func listWorkspaces(c *call) (int, any, error) {
	list, err := c.srv.cfg.Workspaces.List(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"data": list}, nil
}

func getWorkspace(c *call) (int, any, error) {
	ws := c.r.PathValue("workspace")
	if !id.Valid(id.Workspace, ws) {
		return 0, nil, notFound("workspace_not_found", "no such workspace")
	}
	e, err := c.srv.cfg.Workspaces.Get(c.ctx, c.scoped.DynamoDB, c.org(), ws)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e, nil
}

func createWorkspace(c *call) (int, any, error) {
	var in workspaceInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	e, err := c.srv.cfg.Workspaces.Create(c.ctx, c.scoped.DynamoDB, c.org(), id.New(id.Workspace), in.Name, c.srv.cfg.Clock())
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("workspace.create", "workspace", e.ID, nil, map[string]any{"name": e.Name}); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, e, nil
}

func renameWorkspace(c *call) (int, any, error) {
	ws := c.r.PathValue("workspace")
	var in workspaceInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	if !id.Valid(id.Workspace, ws) {
		return 0, nil, notFound("workspace_not_found", "no such workspace")
	}
	before, err := c.srv.cfg.Workspaces.Get(c.ctx, c.scoped.DynamoDB, c.org(), ws)
	if err != nil {
		return 0, nil, err
	}
	if err := c.srv.cfg.Workspaces.Rename(c.ctx, c.scoped.DynamoDB, c.org(), ws, in.Name); err != nil {
		return 0, nil, err
	}
	if err := c.record("workspace.rename", "workspace", ws, map[string]any{"name": before.Name}, map[string]any{"name": in.Name}); err != nil {
		return 0, nil, err
	}
	before.Name = in.Name
	return http.StatusOK, before, nil
}
