package verify

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/recommend"
)

// Audit actions the loop records.
const (
	ActionRegressed = "recommendation.regressed"
	ActionRollback  = "recommendation.rollback"
)

// targetType is the audit target of every entry the loop writes.
const targetType = "recommendation"

// idAlphabet is package id's alphabet, so a derived ID passes id.Valid.
const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// auditID is the audit entry ID of action on rec at the time at: derived,
// not random, so writing the same entry again (a rerun, or a pass
// repairing one stopped between its writes) hits the same item and
// changes nothing.
func auditID(rec, action string, at time.Time) string {
	sum := sha256.Sum256([]byte(rec + "\x00" + action + "\x00" + at.UTC().Format(time.RFC3339Nano)))
	b := make([]byte, id.RandomLen)
	for i := range b {
		b[i] = idAlphabet[sum[i]&31]
	}
	return audit.IDPrefix + string(b)
}

// appendOnce appends e, and counts an entry already stored under its ID
// and time as done.
func (v *Verifier) appendOnce(ctx context.Context, db *dynamodb.Client, e audit.Entry) error {
	_, err := v.cfg.Audit.Append(ctx, db, e)
	if err != nil && apperr.As(err).Code != "audit_entry_exists" {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// regression is the transition to regressed that an audit entry records.
type regression struct {
	At     time.Time // the transition's time
	From   recommend.State
	Reason string
	// Checks are the flagged checks, when this pass made the transition;
	// a transition read back from the history has only its reason.
	Checks []recommend.Check
}

// auditRegression records r's regression, once.
func (v *Verifier) auditRegression(ctx context.Context, db *dynamodb.Client, org string, r recommend.Recommendation, reg regression) error {
	after := map[string]any{"state": string(recommend.Regressed), "alias": r.Alias, "alias_version": r.Apply.Version}
	if reg.Checks != nil {
		flagged := make([]map[string]any, 0, len(reg.Checks))
		for _, c := range reg.Checks {
			flagged = append(flagged, checkEvidence(c))
		}
		after["checks"] = flagged
	} else {
		after["reason"] = reg.Reason
		after["rebuilt_from_history"] = true
	}
	return v.appendOnce(ctx, db, audit.Entry{
		ID: auditID(r.ID, ActionRegressed, reg.At), Org: org, Time: reg.At,
		Actor: Actor, ActorKind: audit.ActorSystem, Action: ActionRegressed,
		TargetType: targetType, TargetID: r.ID, Workspace: r.Workspace,
		Before: map[string]any{"state": string(reg.From)}, After: after, Result: audit.ResultOK,
	})
}

// auditRollback records the rollback of r (as it was before it) that
// produced out.
func (v *Verifier) auditRollback(ctx context.Context, db *dynamodb.Client, org string, r, out recommend.Recommendation) error {
	rb := out.Rollback
	return v.appendOnce(ctx, db, audit.Entry{
		ID: auditID(r.ID, ActionRollback, rb.At), Org: org, Time: rb.At,
		Actor: Actor, ActorKind: audit.ActorSystem, Action: ActionRollback,
		TargetType: targetType, TargetID: r.ID, Workspace: r.Workspace,
		Before: map[string]any{"state": string(r.State), "alias": r.Alias, "alias_version": r.Apply.Version},
		After: map[string]any{"state": string(out.State), "alias": r.Alias, "alias_version": rb.Version,
			"restored_version": rb.To, "reason": rb.Reason},
		Result: audit.ResultOK,
	})
}

// checkEvidence is a flagged check as an audit entry holds it: names and
// numbers only.
func checkEvidence(c recommend.Check) map[string]any {
	side := func(w recommend.Window) map[string]any {
		return map[string]any{"from": w.From, "to": w.To, "n": w.N, "mean": w.Mean}
	}
	return map[string]any{
		"signal": c.Signal, "test": c.Test, "statistic": c.Statistic, "p": c.P, "alpha": c.Alpha,
		"effect": c.Effect, "min_effect": c.MinEffect, "unit": c.Unit, "expected": c.Expected,
		"n_before": c.Before.N, "n_after": c.After.N, "before": side(c.Before), "after": side(c.After),
	}
}
