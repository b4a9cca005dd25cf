package gateway

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// settleDB is the org's scoped client as settlement and its bookkeeping
// use it.
type settleDB interface {
	budget.DB
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// afterSettle does the bookkeeping that rides on a settled call and must
// never fail it: the token's last use (at most once a minute per token and
// instance), and budget alerts when the org's or workspace's settled spend
// has crossed one of its alert thresholds.
func (h *Handler) afterSettle(ctx context.Context, db settleDB, c *call) {
	if c.shadow {
		h.keepShadow(ctx, db, c)
	}
	p := c.principal
	if h.cfg.Touch != nil && p.TokenID != "" {
		if err := h.cfg.Touch.Touch(ctx, db, p.Org, p.TokenID); err != nil {
			h.cfg.Logger.WarnContext(ctx, "record token use", "request_id", c.id, "error", err)
		}
	}
	if h.cfg.Alerts == nil {
		return
	}
	for _, sc := range []struct {
		scope      string
		thresholds []int
	}{{"org", c.snap.OrgSettings.AlertThresholds}, {p.Workspace, c.snap.Settings.AlertThresholds}} {
		alerts, err := h.cfg.Alerts.Check(ctx, db, p.Org, sc.scope, sc.thresholds)
		if err != nil {
			h.cfg.Logger.WarnContext(ctx, "check budget alerts", "request_id", c.id, "error", err)
			continue
		}
		for _, a := range alerts {
			h.raise(ctx, db, c, a)
		}
	}
}

// raise reports a crossed threshold: a WARN log line for the operator's
// alarms and an audit entry for the org's admins.
func (h *Handler) raise(ctx context.Context, db settleDB, c *call, a budget.Alert) {
	h.cfg.Logger.WarnContext(ctx, "budget alert", "org", c.principal.Org, "scope", a.Scope, "threshold_pct", a.Threshold,
		"spent_nano", int64(a.Spent), "cap_nano", int64(a.Cap), "month", a.Month)
	if h.cfg.Audit == nil {
		return
	}
	_, err := h.cfg.Audit.Append(ctx, db, audit.Entry{
		Org: c.principal.Org, Actor: c.principal.TokenID, ActorKind: audit.ActorToken, Action: "budget.alert",
		TargetType: "budget", TargetID: a.Scope, Workspace: c.principal.Workspace, Result: audit.ResultOK,
		After: map[string]any{"threshold_pct": a.Threshold, "spent_nano": int64(a.Spent), "cap_nano": int64(a.Cap), "month": a.Month},
	})
	if err != nil {
		h.cfg.Logger.WarnContext(ctx, "audit budget alert", "request_id", c.id, "error", err)
	}
}

// keepShadow stores a sampled alias call for the savings engine: the
// request and the live answer sealed, until an evaluation scores them or
// the sample expires. It runs after the client has its answer and never
// fails the call; a sample that cannot be kept is skipped.
func (h *Handler) keepShadow(ctx context.Context, db settleDB, c *call) {
	if c.status != trace.StatusOK || c.attempts == 0 || c.content.Len() == 0 {
		return
	}
	u := chat.Usage{}
	if c.usage != nil {
		u = *c.usage
	}
	_, err := h.cfg.Shadow.Put(ctx, db, dataset.Bind(h.cfg.Envelope, c.scope), c.principal.Org, shadow.Sample{
		Workspace: c.principal.Workspace, Alias: c.alias, Model: c.used.Target.String(), Time: c.start.UTC(),
		Messages: c.req.Messages, Output: c.content.String(), CostNano: int64(c.billed),
		PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens,
	})
	if err != nil {
		h.cfg.Logger.WarnContext(ctx, "shadow sample not kept", "request_id", c.id, "error_code", apperr.As(err).Code)
	}
}
