package recommend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Aliases is what applying and rolling back need of the workspace store.
type Aliases interface {
	ListAliases(ctx context.Context, db workspace.DB, org, ws string) ([]workspace.Alias, error)
	SaveAliasChange(ctx context.Context, db workspace.AdminDB, org, ws, name string, targets []workspace.Target, ch workspace.AliasChange, now time.Time) (workspace.Alias, error)
	RollbackAliasChange(ctx context.Context, db workspace.AdminDB, org, ws, name string, version int64, ch workspace.AliasChange, now time.Time) (workspace.Alias, error)
	AliasHistory(ctx context.Context, db workspace.DB, org, ws, name string) ([]workspace.AliasVersion, error)
}

// AdminClient is the scoped client apply and rollback write with.
type AdminClient interface {
	DB
	workspace.AdminDB
}

// Actions applies and rolls back recommendations.
type Actions struct {
	Store   *Store
	Aliases Aliases
	Clock   func() time.Time
}

// Errors with stable codes.
var (
	ErrNoAlias = apperr.New(apperr.Invalid, "recommendation_has_no_alias",
		"the recommendation's run named no alias; route traffic to the candidate by editing an alias")
	ErrAliasMoved = apperr.New(apperr.Conflict, "alias_moved",
		"the alias no longer routes to the recommendation's baseline first; re-run the evaluation against its current target")
	ErrAliasChangedSince = apperr.New(apperr.Conflict, "alias_changed_since_apply",
		"the alias was changed after the recommendation was applied; roll it back to a version of your choice with the alias rollback route")
)

// Apply routes the recommendation's alias to the candidate first, keeping
// the alias's other targets behind it as fallbacks (at most
// workspace.MaxAliasTargets), as a new alias version that cites the
// recommendation. It refuses an alias that no longer routes to the
// baseline first, and an alias changed between its read and the save.
// When the recommendation cannot be marked applied after the alias was
// saved, the alias is put back before the error is returned.
func (a *Actions) Apply(ctx context.Context, db AdminClient, org, ws, recID, by string, autoRollback bool) (Recommendation, workspace.Alias, error) {
	r, err := a.Store.Get(ctx, db, org, ws, recID)
	if err != nil {
		return Recommendation{}, workspace.Alias{}, err
	}
	if r.State != Open {
		return Recommendation{}, workspace.Alias{}, ErrChanged
	}
	if r.Alias == "" {
		return Recommendation{}, workspace.Alias{}, ErrNoAlias
	}
	cur, err := a.alias(ctx, db, org, ws, r.Alias)
	if err != nil {
		return Recommendation{}, workspace.Alias{}, err
	}
	if len(cur.Targets) == 0 || cur.Targets[0].String() != r.Baseline {
		return Recommendation{}, workspace.Alias{}, ErrAliasMoved
	}
	cand, ok := workspace.ParseTarget(r.Candidate)
	if !ok {
		return Recommendation{}, workspace.Alias{}, apperr.New(apperr.Invalid, "candidate_not_a_target",
			"the candidate is not a connection/model target")
	}
	targets := []workspace.Target{cand}
	for _, t := range cur.Targets {
		if t != cand && len(targets) < workspace.MaxAliasTargets {
			targets = append(targets, t)
		}
	}
	now := a.now()
	saved, err := a.Aliases.SaveAliasChange(ctx, db, org, ws, r.Alias, targets,
		workspace.AliasChange{Actor: by, Cites: r.ID, IfVersion: cur.Version}, now)
	if err != nil {
		return Recommendation{}, workspace.Alias{}, err
	}
	applied, err := a.Store.Update(ctx, db, r, by, fmt.Sprintf("applied as alias %s version %d", r.Alias, saved.Version),
		func(x *Recommendation) {
			x.State = Applied
			x.Apply = &Apply{Version: saved.Version, Previous: cur.Version, By: by, At: now, AutoRollback: autoRollback}
		})
	if err != nil {
		if _, undoErr := a.Aliases.RollbackAliasChange(ctx, db, org, ws, r.Alias, cur.Version,
			workspace.AliasChange{Actor: by, Cites: r.ID, IfVersion: saved.Version}, a.now()); undoErr != nil {
			return Recommendation{}, workspace.Alias{}, errors.Join(err, fmt.Errorf("undo alias change: %w", undoErr))
		}
		return Recommendation{}, workspace.Alias{}, err
	}
	return applied, saved, nil
}

// Rollback returns the alias to the version the recommendation replaced,
// as a new alias version citing it, and marks the recommendation rolled
// back. It refuses when the alias was changed after the apply: undoing the
// apply would then also undo someone else's change.
func (a *Actions) Rollback(ctx context.Context, db AdminClient, org, ws, recID, by, reason string) (Recommendation, workspace.Alias, error) {
	r, err := a.Store.Get(ctx, db, org, ws, recID)
	if err != nil {
		return Recommendation{}, workspace.Alias{}, err
	}
	if !r.State.Live() || r.Apply == nil {
		return Recommendation{}, workspace.Alias{}, ErrChanged
	}
	now := a.now()
	saved, err := a.Aliases.RollbackAliasChange(ctx, db, org, ws, r.Alias, r.Apply.Previous,
		workspace.AliasChange{Actor: by, Cites: r.ID, IfVersion: r.Apply.Version}, now)
	if err != nil && apperr.As(err).Code == "alias_changed" {
		// The alias moved since the apply: by this very rollback, when an
		// earlier attempt saved it but could not mark the recommendation,
		// or by someone else, whose change must not be undone.
		done, ok, herr := a.ownRollback(ctx, db, org, ws, r)
		if herr != nil {
			return Recommendation{}, workspace.Alias{}, herr
		}
		if !ok {
			return Recommendation{}, workspace.Alias{}, ErrAliasChangedSince
		}
		saved, err = done, nil
	}
	if err != nil {
		return Recommendation{}, workspace.Alias{}, err
	}
	out, err := a.Store.Update(ctx, db, r, by, reason, func(x *Recommendation) {
		x.State = RolledBack
		x.Rollback = &Rollback{Version: saved.Version, To: r.Apply.Previous, By: by, At: now, Reason: reason}
	})
	if err != nil {
		return Recommendation{}, saved, fmt.Errorf("alias rolled back to version %d but the recommendation was not updated: %w", r.Apply.Previous, err)
	}
	return out, saved, nil
}

// ownRollback finds an alias version after r's apply that cites r and is
// the alias's newest: the rollback an earlier attempt saved.
func (a *Actions) ownRollback(ctx context.Context, db workspace.DB, org, ws string, r Recommendation) (workspace.Alias, bool, error) {
	hist, err := a.Aliases.AliasHistory(ctx, db, org, ws, r.Alias)
	if err != nil {
		return workspace.Alias{}, false, err
	}
	if len(hist) == 0 || hist[0].Version <= r.Apply.Version || hist[0].Cites != r.ID {
		return workspace.Alias{}, false, nil
	}
	cur, err := a.alias(ctx, db, org, ws, r.Alias)
	if err != nil || cur.Version != hist[0].Version {
		return workspace.Alias{}, false, err
	}
	return cur, true, nil
}

// Dismiss closes an open recommendation without acting on it.
func (a *Actions) Dismiss(ctx context.Context, db DB, org, ws, recID, by, reason string) (Recommendation, error) {
	r, err := a.Store.Get(ctx, db, org, ws, recID)
	if err != nil {
		return Recommendation{}, err
	}
	if r.State != Open {
		return Recommendation{}, ErrChanged
	}
	if reason == "" {
		reason = "dismissed"
	}
	return a.Store.Update(ctx, db, r, by, reason, func(x *Recommendation) { x.State = Dismissed })
}

func (a *Actions) alias(ctx context.Context, db workspace.DB, org, ws, name string) (workspace.Alias, error) {
	list, err := a.Aliases.ListAliases(ctx, db, org, ws)
	if err != nil {
		return workspace.Alias{}, err
	}
	for _, al := range list {
		if al.Name == name {
			return al, nil
		}
	}
	return workspace.Alias{}, apperr.New(apperr.NotFound, "alias_not_found", "the recommendation's alias no longer exists")
}

func (a *Actions) now() time.Time {
	if a.Clock == nil {
		return time.Now().UTC()
	}
	return a.Clock().UTC()
}
