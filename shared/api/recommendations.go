package api

import (
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// pathRecommendation reads the recommendation the path names, in the
// path's workspace.
func pathRecommendation(c *call) (*EvalConfig, workspace.Entry, recommend.Recommendation, error) {
	ev, err := c.evals()
	if err != nil {
		return nil, workspace.Entry{}, recommend.Recommendation{}, err
	}
	if ev.Recommendations == nil {
		return nil, workspace.Entry{}, recommend.Recommendation{}, errEvalsDisabled
	}
	e, err := pathWorkspace(c)
	if err != nil {
		return nil, workspace.Entry{}, recommend.Recommendation{}, err
	}
	r, err := ev.Recommendations.Get(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, c.r.PathValue("recommendation"))
	if err != nil {
		return nil, workspace.Entry{}, recommend.Recommendation{}, err
	}
	return ev, e, r, nil
}

// listRecommendations lists the workspace's recommendations, newest first.
func listRecommendations(c *call) (int, any, error) {
	ev, err := c.evals()
	if err != nil {
		return 0, nil, err
	}
	if ev.Recommendations == nil {
		return 0, nil, errEvalsDisabled
	}
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	list, err := ev.Recommendations.List(c.ctx, c.scoped.DynamoDB, c.org(), e.ID)
	if err != nil {
		return 0, nil, err
	}
	if state := c.r.URL.Query().Get("state"); state != "" {
		kept := list[:0]
		for _, r := range list {
			if string(r.State) == state {
				kept = append(kept, r)
			}
		}
		list = kept
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return http.StatusOK, map[string]any{"recommendations": list}, nil
}

// getRecommendation shows one recommendation with every state change.
func getRecommendation(c *call) (int, any, error) {
	ev, e, r, err := pathRecommendation(c)
	if err != nil {
		return 0, nil, err
	}
	hist, err := ev.Recommendations.History(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, r.ID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"recommendation": r, "history": hist}, nil
}

type reasonInput struct {
	Reason string `json:"reason"`
}

type applyInput struct {
	// AutoRollback lets the verification loop undo the change by itself
	// when it flags a regression.
	AutoRollback bool `json:"auto_rollback"`
}

func (in reasonInput) check() error {
	if len(in.Reason) > 500 {
		return apperr.New(apperr.Invalid, "invalid_reason", "reason is at most 500 bytes").WithParam("reason")
	}
	return nil
}

// dismissRecommendation closes an open recommendation without acting.
func dismissRecommendation(c *call) (int, any, error) {
	ev, e, r, err := pathRecommendation(c)
	if err != nil {
		return 0, nil, err
	}
	var in reasonInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	if err := in.check(); err != nil {
		return 0, nil, err
	}
	out, err := ev.Actions.Dismiss(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, r.ID, c.principal.Member, in.Reason)
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("recommendation.dismiss", "recommendation", r.ID, map[string]any{"state": r.State},
		map[string]any{"state": out.State, "reason": in.Reason}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, out, nil
}

// applyRecommendation routes the recommendation's alias to the candidate
// as a new alias version citing it.
func applyRecommendation(c *call) (int, any, error) {
	ev, e, r, err := pathRecommendation(c)
	if err != nil {
		return 0, nil, err
	}
	var in applyInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	out, alias, err := ev.Actions.Apply(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, r.ID, c.principal.Member, in.AutoRollback)
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("recommendation.apply", "recommendation", r.ID,
		map[string]any{"state": r.State, "alias": r.Alias, "alias_version": out.Apply.Previous},
		map[string]any{"state": out.State, "alias": r.Alias, "alias_version": alias.Version, "targets": targetStrings(alias.Targets),
			"auto_rollback": in.AutoRollback, "n": r.Evidence.N, "lower_bound": r.Evidence.Lower, "delta": r.Evidence.Delta}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"recommendation": out,
		"alias": aliasView{Name: alias.Name, Version: alias.Version, Targets: targetStrings(alias.Targets), Cites: r.ID}}, nil
}

// rollbackRecommendation returns the alias to the version the
// recommendation replaced.
func rollbackRecommendation(c *call) (int, any, error) {
	ev, e, r, err := pathRecommendation(c)
	if err != nil {
		return 0, nil, err
	}
	var in reasonInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	if err := in.check(); err != nil {
		return 0, nil, err
	}
	if in.Reason == "" {
		in.Reason = "rolled back by " + c.principal.Member
	}
	out, alias, err := ev.Actions.Rollback(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, r.ID, c.principal.Member, in.Reason)
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("recommendation.rollback", "recommendation", r.ID, map[string]any{"state": r.State, "alias": r.Alias},
		map[string]any{"state": out.State, "alias": r.Alias, "alias_version": alias.Version, "restored_version": out.Rollback.To,
			"reason": in.Reason}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"recommendation": out,
		"alias": aliasView{Name: alias.Name, Version: alias.Version, Targets: targetStrings(alias.Targets), Cites: r.ID}}, nil
}

// listDrift lists the org's drift flags detected since a time (default:
// the last 7 days).
func listDrift(c *call) (int, any, error) {
	ev, err := c.evals()
	if err != nil {
		return 0, nil, err
	}
	if ev.Drift == nil {
		return 0, nil, errEvalsDisabled
	}
	since := c.srv.cfg.Clock().UTC().Add(-7 * 24 * time.Hour)
	if v := c.r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return 0, nil, apperr.New(apperr.Invalid, "invalid_since", "since must be an RFC 3339 time").WithParam("since")
		}
		since = t.UTC()
	}
	flags, err := ev.Drift.Flags(c.ctx, c.scoped.DynamoDB, c.org(), since)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"since": since, "flags": flags}, nil
}
