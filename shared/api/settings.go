package api

import (
	"net/http"

	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// orgView is the org as the API shows it.
type orgView struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	MonthlyCapNano  int64  `json:"monthly_cap_nano"`
	AlertThresholds []int  `json:"alert_thresholds"`
}

func viewOrg(org string, o workspace.Org) orgView {
	return orgView{ID: org, Name: o.Name, MonthlyCapNano: int64(o.MonthlyCap), AlertThresholds: nonNil(o.AlertThresholds)}
}

func nonNil(v []int) []int {
	if v == nil {
		return []int{}
	}
	return v
}

func getOrg(c *call) (int, any, error) {
	o, err := c.srv.cfg.Workspaces.ReadOrg(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, viewOrg(c.org(), o), nil
}

type orgInput struct {
	Name *string `json:"name"`
}

func updateOrg(c *call) (int, any, error) {
	var in orgInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	before, after, err := c.srv.cfg.Workspaces.UpdateOrg(c.ctx, c.scoped.DynamoDB, c.org(), workspace.OrgPatch{Name: in.Name})
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("settings.set", "org", c.org(), map[string]any{"name": before.Name}, map[string]any{"name": after.Name}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, viewOrg(c.org(), after), nil
}

type orgBudgetInput struct {
	MonthlyCapNano  *int64 `json:"monthly_cap_nano"`
	AlertThresholds *[]int `json:"alert_thresholds"`
}

func setOrgBudget(c *call) (int, any, error) {
	var in orgBudgetInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	p := workspace.OrgPatch{AlertThresholds: in.AlertThresholds}
	if in.MonthlyCapNano != nil {
		v := pricing.NanoUSD(*in.MonthlyCapNano)
		p.MonthlyCap = &v
	}
	before, after, err := c.srv.cfg.Workspaces.UpdateOrg(c.ctx, c.scoped.DynamoDB, c.org(), p)
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("budget.set", "org", c.org(),
		map[string]any{"monthly_cap_nano": int64(before.MonthlyCap), "alert_thresholds": before.AlertThresholds},
		map[string]any{"monthly_cap_nano": int64(after.MonthlyCap), "alert_thresholds": after.AlertThresholds}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, viewOrg(c.org(), after), nil
}

// limitsView is a workspace's budget and rate limits.
type limitsView struct {
	Workspace       string   `json:"workspace"`
	MonthlyCapNano  int64    `json:"monthly_cap_nano"`
	RPM             int64    `json:"rpm"`
	TPM             int64    `json:"tpm"`
	MaxOutputTokens int64    `json:"max_output_tokens"`
	AllowedModels   []string `json:"allowed_models"`
	AlertThresholds []int    `json:"alert_thresholds"`
	EvalMonthlyCap  int64    `json:"eval_monthly_cap_nano"`
	MarginBP        int64    `json:"noninferiority_margin_bp"`
	SpentNano       *int64   `json:"month_spent_nano,omitempty"`
}

func viewLimits(ws string, s workspace.Settings) limitsView {
	models := s.AllowedModels
	if models == nil {
		models = []string{}
	}
	return limitsView{Workspace: ws, MonthlyCapNano: int64(s.MonthlyCap), RPM: s.RPM, TPM: s.TPM,
		MaxOutputTokens: s.MaxOutputTokens, AllowedModels: models, AlertThresholds: nonNil(s.AlertThresholds),
		EvalMonthlyCap: int64(s.EvalMonthlyCap), MarginBP: s.MarginBP}
}

// getBudgets lists the org's cap and every workspace's caps and limits,
// with this month's settled spend.
func getBudgets(c *call) (int, any, error) {
	now := c.srv.cfg.Clock()
	o, err := c.srv.cfg.Workspaces.ReadOrg(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	orgSpend, err := c.srv.cfg.Budget.Read(c.ctx, c.scoped.DynamoDB, c.org(), "org", now)
	if err != nil {
		return 0, nil, err
	}
	list, err := c.srv.cfg.Workspaces.List(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	out := make([]limitsView, 0, len(list))
	for _, e := range list {
		st, err := c.srv.cfg.Workspaces.ReadSettings(c.ctx, c.scoped.DynamoDB, c.org(), e.ID)
		if err != nil {
			return 0, nil, err
		}
		sp, err := c.srv.cfg.Budget.Read(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, now)
		if err != nil {
			return 0, nil, err
		}
		v := viewLimits(e.ID, st)
		spent := int64(sp.Spent)
		v.SpentNano = &spent
		out = append(out, v)
	}
	orgSpent := int64(orgSpend.Spent)
	return http.StatusOK, map[string]any{
		"month": now.UTC().Format("2006-01"), "org": viewOrg(c.org(), o), "org_month_spent_nano": orgSpent, "workspaces": out,
	}, nil
}

type limitsInput struct {
	MonthlyCapNano  *int64    `json:"monthly_cap_nano"`
	RPM             *int64    `json:"rpm"`
	TPM             *int64    `json:"tpm"`
	MaxOutputTokens *int64    `json:"max_output_tokens"`
	AllowedModels   *[]string `json:"allowed_models"`
	AlertThresholds *[]int    `json:"alert_thresholds"`
	EvalMonthlyCap  *int64    `json:"eval_monthly_cap_nano"`
	MarginBP        *int64    `json:"noninferiority_margin_bp"`
}

func setWorkspaceBudget(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	var in limitsInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	p := workspace.SettingsPatch{RPM: in.RPM, TPM: in.TPM, MaxOutputTokens: in.MaxOutputTokens,
		AllowedModels: in.AllowedModels, AlertThresholds: in.AlertThresholds, MarginBP: in.MarginBP}
	if in.MonthlyCapNano != nil {
		v := pricing.NanoUSD(*in.MonthlyCapNano)
		p.MonthlyCap = &v
	}
	if in.EvalMonthlyCap != nil {
		v := pricing.NanoUSD(*in.EvalMonthlyCap)
		p.EvalMonthlyCap = &v
	}
	before, after, err := c.srv.cfg.Workspaces.UpdateSettings(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, p)
	if err != nil {
		return 0, nil, err
	}
	b, a := viewLimits(e.ID, before), viewLimits(e.ID, after)
	if err := c.record("budget.set", "workspace", e.ID, asMap(b), asMap(a)); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a, nil
}

// retentionView is a workspace's content and retention policy.
type retentionView struct {
	Workspace           string `json:"workspace"`
	StoreContentAllowed bool   `json:"store_content_allowed"`
	RedactAfterDays     int64  `json:"redact_after_days"`
	RetentionDays       int64  `json:"retention_days"`
	ShadowSamplePercent int64  `json:"shadow_sample_pct"`
}

func viewRetention(ws string, s workspace.Settings) retentionView {
	return retentionView{Workspace: ws, StoreContentAllowed: s.StoreContentAllowed, RedactAfterDays: s.RedactAfterDays,
		RetentionDays: s.RetentionDays, ShadowSamplePercent: s.ShadowSamplePercent}
}

func getRetention(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	st, err := c.srv.cfg.Workspaces.ReadSettings(c.ctx, c.scoped.DynamoDB, c.org(), e.ID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, viewRetention(e.ID, st), nil
}

type retentionInput struct {
	StoreContentAllowed *bool  `json:"store_content_allowed"`
	RedactAfterDays     *int64 `json:"redact_after_days"`
	RetentionDays       *int64 `json:"retention_days"`
	ShadowSamplePercent *int64 `json:"shadow_sample_pct"`
}

func setRetention(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	var in retentionInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	before, after, err := c.srv.cfg.Workspaces.UpdateSettings(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, workspace.SettingsPatch{
		StoreContentAllowed: in.StoreContentAllowed, RedactAfterDays: in.RedactAfterDays, RetentionDays: in.RetentionDays,
		ShadowSamplePercent: in.ShadowSamplePercent})
	if err != nil {
		return 0, nil, err
	}
	b, a := viewRetention(e.ID, before), viewRetention(e.ID, after)
	if err := c.record("retention.set", "workspace", e.ID, asMap(b), asMap(a)); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a, nil
}
