package retention

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tollgate-dev/tollgate/shared/trace"
)

// orgWork is one org's share of a run, and what it did.
type orgWork struct {
	job  *Job
	org  string
	now  time.Time
	stop func() bool

	released, redacted, deleted, tokens int
}

// run does the org's steps from cp.Step on, saving cp after each unit of
// work. It returns false, with cp saved, when stop paused it.
func (w *orgWork) run(ctx context.Context, cp *checkpoint) (bool, error) {
	sc, err := w.job.cfg.Tenants.For(ctx, w.org)
	if err != nil {
		return false, fmt.Errorf("tenant session: %w", err)
	}
	db := sc.DynamoDB
	first := max(slices.Index(steps, cp.Step), 0) // an unknown step (older checkpoint) starts over: every step is idempotent
	for i := first; i < len(steps); i++ {
		cp.Step = steps[i]
		var done bool
		switch cp.Step {
		case stepReservations:
			n, err := w.job.cfg.Budget.Reconcile(ctx, db, w.org)
			w.released += n
			if err != nil {
				return false, fmt.Errorf("release expired reservations: %w", err)
			}
			done = true
		case stepRedact:
			if done, err = w.redact(ctx, db); err != nil {
				return false, err
			}
		case stepTraces:
			if done, err = w.deleteExpired(ctx, db, cp); err != nil {
				return false, err
			}
		case stepTokens:
			n, err := w.job.purgeTokens(ctx, db, w.org, w.now)
			w.tokens += n
			if err != nil {
				return false, fmt.Errorf("purge expired tokens: %w", err)
			}
			done = true
		}
		if !done {
			return false, w.job.saveCheckpoint(ctx, *cp)
		}
		if i+1 < len(steps) {
			cp.Step, cp.Group, cp.Cursor = steps[i+1], trace.Expired{}, trace.DeleteCursor{}
			if err := w.job.saveCheckpoint(ctx, *cp); err != nil {
				return false, err
			}
			if w.stop() {
				return false, nil
			}
		}
	}
	return true, nil
}

// redact removes due content in batches until none is left or stop says so.
func (w *orgWork) redact(ctx context.Context, db trace.DB) (bool, error) {
	for {
		n, err := w.job.cfg.Traces.RedactDue(ctx, db, w.org, w.now, w.job.cfg.RedactBatch)
		w.redacted += n
		if err != nil {
			return false, fmt.Errorf("redact content: %w", err)
		}
		if n < w.job.cfg.RedactBatch {
			return true, nil
		}
		if w.stop() {
			return false, nil
		}
	}
}

// deleteExpired deletes every expired trace group, resuming the group and
// cursor in cp, and saving cp after each group.
func (w *orgWork) deleteExpired(ctx context.Context, db trace.DB, cp *checkpoint) (bool, error) {
	groups, err := w.job.cfg.Traces.ExpiredGroups(ctx, db, w.org, w.now)
	if err != nil {
		return false, fmt.Errorf("find expired traces: %w", err)
	}
	for _, g := range groups {
		from := trace.DeleteCursor{}
		if g == cp.Group {
			from = cp.Cursor
		}
		next, n, done, err := w.job.cfg.Traces.DeleteExpired(ctx, db, w.org, g, w.now, from, w.stop)
		w.deleted += n
		if err != nil {
			return false, fmt.Errorf("delete expired traces of %s: %w", g.Day, err)
		}
		cp.Group, cp.Cursor = g, next
		if !done {
			return false, nil
		}
		if err := w.job.saveCheckpoint(ctx, *cp); err != nil {
			return false, err
		}
	}
	return true, nil
}
