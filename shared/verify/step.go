package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

// Step verifies every live recommendation of org at now, through the
// org's session. It is a drift.AlsoFunc. One recommendation's failure is
// logged and the others still run; the failures are returned joined, so
// the drift job reports the org and the next pass tries again. Running it
// again changes nothing that the first run settled (see the package doc).
func (v *Verifier) Step(ctx context.Context, org string, scoped *tenant.Scoped, now time.Time) error {
	now = now.UTC()
	db := scoped.DynamoDB
	live, err := v.cfg.Actions.Store.Live(ctx, db, org)
	if err != nil {
		return fmt.Errorf("list live recommendations: %w", err)
	}
	var errs []error
	lists := runLists{}
	for _, r := range live {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("verification stopped: %w", err))
			break
		}
		if err := v.one(ctx, db, org, r, now, lists); err != nil {
			v.cfg.Logger.ErrorContext(ctx, "verification failed; tried again next pass",
				"org", org, "recommendation", r.ID, "workspace", r.Workspace, "error", err)
			errs = append(errs, fmt.Errorf("recommendation %s: %w", r.ID, err))
		}
	}
	return errors.Join(errs...)
}

// one verifies one recommendation: it stores the verification with its
// transition, audits a regression and, when opted in, rolls back. lists
// holds the workspaces' runs this pass has listed.
func (v *Verifier) one(ctx context.Context, db *dynamodb.Client, org string, listed recommend.Recommendation, now time.Time, lists runLists) error {
	store := v.cfg.Actions.Store
	// The live index may lag: read the recommendation itself, so the
	// optimistic lock below holds its current version.
	r, err := store.Get(ctx, db, org, listed.Workspace, listed.ID)
	switch {
	case errors.Is(err, recommend.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("read recommendation: %w", err)
	case !r.State.Live() || r.Apply == nil:
		return nil // rolled back since the index was read
	}
	ver, err := v.verification(ctx, db, org, r, now, lists)
	if err != nil {
		return err
	}
	to, reason := transition(r.State, ver)
	saved, err := store.Update(ctx, db, r, Actor, reason, func(x *recommend.Recommendation) {
		x.State, x.Verification = to, &ver
	})
	if err != nil {
		return fmt.Errorf("store verification: %w", err)
	}
	v.cfg.Logger.InfoContext(ctx, "verification", "org", org, "recommendation", r.ID, "workspace", r.Workspace,
		"alias", r.Alias, "from", string(r.State), "to", string(saved.State), "regressed", ver.Regressed, "enough", ver.Enough)
	if saved.State != recommend.Regressed {
		return nil
	}
	reg := regression{At: saved.Updated, From: r.State, Reason: reason, Checks: flagged(ver)}
	if r.State == recommend.Regressed {
		if reg, err = v.lastRegression(ctx, db, org, r); err != nil {
			return err
		}
	}
	if err := v.auditRegression(ctx, db, org, saved, reg); err != nil {
		return err
	}
	if !saved.Apply.AutoRollback {
		return nil
	}
	return v.rollback(ctx, db, org, saved, reg)
}

// verification reads r's windows at now, and its shadow evaluations since
// the apply, and evaluates them.
func (v *Verifier) verification(ctx context.Context, db *dynamodb.Client, org string, r recommend.Recommendation, now time.Time, lists runLists) (recommend.Verification, error) {
	bw, aw := v.windows(r, now)
	before, err := v.read(ctx, db, org, r, bw)
	if err != nil {
		return recommend.Verification{}, fmt.Errorf("before window: %w", err)
	}
	after, err := v.read(ctx, db, org, r, aw)
	if err != nil {
		return recommend.Verification{}, fmt.Errorf("after window: %w", err)
	}
	shadow, err := v.shadow(ctx, db, org, r, lists)
	if err != nil {
		return recommend.Verification{}, fmt.Errorf("shadow evaluations: %w", err)
	}
	return evaluate(before, after, shadow, v.params(r), now), nil
}

// lastRegression reads back r's latest transition to regressed from its
// history: the time and reason its audit entry was (or is to be) written
// with.
func (v *Verifier) lastRegression(ctx context.Context, db *dynamodb.Client, org string, r recommend.Recommendation) (regression, error) {
	hist, err := v.cfg.Actions.Store.History(ctx, db, org, r.Workspace, r.ID)
	if err != nil {
		return regression{}, fmt.Errorf("read history: %w", err)
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if t := hist[i]; t.To == recommend.Regressed {
			return regression{At: t.Time, From: t.From, Reason: t.Reason}, nil
		}
	}
	return regression{}, fmt.Errorf("read history: regressed without a recorded transition")
}

// rollback undoes r's apply and audits it. An alias edited since the
// apply is left alone: r stays regressed and a later pass tries again.
func (v *Verifier) rollback(ctx context.Context, db *dynamodb.Client, org string, r recommend.Recommendation, reg regression) error {
	out, alias, err := v.cfg.Actions.Rollback(ctx, db, org, r.Workspace, r.ID, Actor, "automatic rollback: "+reg.Reason)
	if errors.Is(err, recommend.ErrAliasChangedSince) {
		v.cfg.Logger.WarnContext(ctx, "automatic rollback refused: the alias was changed after the apply; the recommendation stays regressed",
			"org", org, "recommendation", r.ID, "workspace", r.Workspace, "alias", r.Alias, "applied_version", r.Apply.Version)
		return nil
	}
	if err != nil {
		return fmt.Errorf("roll back: %w", err)
	}
	v.cfg.Logger.InfoContext(ctx, "automatic rollback", "org", org, "recommendation", r.ID, "workspace", r.Workspace,
		"alias", r.Alias, "alias_version", alias.Version, "restored_version", out.Rollback.To)
	return v.auditRollback(ctx, db, org, r, out)
}
