package api

import (
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// aliasView is a routing alias as the API shows it.
type aliasView struct {
	Name    string    `json:"name"`
	Version int64     `json:"version"`
	Targets []string  `json:"targets"`
	Actor   string    `json:"actor,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	// Cites is the recommendation the version applied or rolled back.
	Cites string `json:"cites,omitempty"`
}

func targetStrings(ts []workspace.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}

func listAliases(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	list, err := c.srv.cfg.Workspaces.ListAliases(c.ctx, c.scoped.DynamoDB, c.org(), e.ID)
	if err != nil {
		return 0, nil, err
	}
	out := make([]aliasView, len(list))
	for i, a := range list {
		out[i] = aliasView{Name: a.Name, Version: a.Version, Targets: targetStrings(a.Targets)}
	}
	return http.StatusOK, map[string]any{"data": out}, nil
}

type aliasInput struct {
	Targets []string `json:"targets"`
}

func putAlias(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	var in aliasInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	targets := make([]workspace.Target, len(in.Targets))
	for i, s := range in.Targets {
		t, ok := workspace.ParseTarget(s)
		if !ok {
			return 0, nil, apperr.New(apperr.Invalid, "invalid_target", "targets are connection/model").WithParam("targets")
		}
		targets[i] = t
	}
	name := c.r.PathValue("alias")
	a, err := c.srv.cfg.Workspaces.SaveAlias(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, name, targets, c.member.ID, c.srv.cfg.Clock())
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("alias.put", "alias", e.ID+"/"+name, nil,
		map[string]any{"version": a.Version, "targets": targetStrings(a.Targets)}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, aliasView{Name: a.Name, Version: a.Version, Targets: targetStrings(a.Targets)}, nil
}

func aliasVersions(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	hist, err := c.srv.cfg.Workspaces.AliasHistory(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, c.r.PathValue("alias"))
	if err != nil {
		return 0, nil, err
	}
	out := make([]aliasView, len(hist))
	for i, v := range hist {
		out[i] = aliasView{Name: c.r.PathValue("alias"), Version: v.Version, Targets: targetStrings(v.Targets), Actor: v.Actor, Time: v.Time, Cites: v.Cites}
	}
	return http.StatusOK, map[string]any{"data": out}, nil
}

type rollbackInput struct {
	Version int64 `json:"version"`
}

func rollbackAlias(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	var in rollbackInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	if in.Version < 1 {
		return 0, nil, apperr.New(apperr.Invalid, "invalid_version", "version must be a saved version number").WithParam("version")
	}
	name := c.r.PathValue("alias")
	a, err := c.srv.cfg.Workspaces.RollbackAlias(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, name, in.Version, c.member.ID, c.srv.cfg.Clock())
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("alias.rollback", "alias", e.ID+"/"+name, map[string]any{"to_version": in.Version},
		map[string]any{"version": a.Version, "targets": targetStrings(a.Targets)}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, aliasView{Name: a.Name, Version: a.Version, Targets: targetStrings(a.Targets)}, nil
}

func deleteAlias(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	name := c.r.PathValue("alias")
	if err := c.srv.cfg.Workspaces.DeleteAlias(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, name); err != nil {
		return 0, nil, err
	}
	if err := c.record("alias.delete", "alias", e.ID+"/"+name, nil, nil); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
