package evalwork

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/evalcall"
	"github.com/tollgate-dev/tollgate/shared/evalplan"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Tenants hands out clients scoped to one org: the worker reads and writes
// only through them.
type Tenants interface {
	For(ctx context.Context, org string) (*tenant.Scoped, error)
}

// Config holds the worker's dependencies.
type Config struct {
	Tenants    Tenants
	Runs       *evalrun.Store
	Workspaces *workspace.Store
	Calls      *evalcall.Caller
	Sources    Sources
	Envelope   *secrets.Envelope
	Logger     *slog.Logger
	// LeaseFor is how long an item stays claimed by a worker between
	// provider calls; a dead worker's items are reclaimed after it. It
	// must outlast one call (evalcall's timeout × retries). Default 10m.
	LeaseFor time.Duration
	// Decide, when set, is called after every chunk of a running run and
	// once more, with final set, just before the run completes: the
	// savings engine's recommendation step. It must be idempotent.
	Decide DecideFunc
}

// DecideFunc looks at a run's results so far and acts on them.
type DecideFunc func(ctx context.Context, sc *tenant.Scoped, run evalrun.Run, final bool) error

// Worker scores chunks. It holds no mutable state.
type Worker struct{ cfg Config }

// New returns a Worker with cfg's defaults filled in.
func New(cfg Config) *Worker {
	if cfg.LeaseFor == 0 {
		cfg.LeaseFor = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{cfg: cfg}
}

// errRetry fails the message so SQS delivers it again later.
var errRetry = apperr.New(apperr.Unavailable, "chunk_incomplete", "some items of the chunk must be tried again")

// errDeadLetter fails a message on its last receive, so it moves to the
// dead-letter queue for an operator to inspect; its failed items are
// already recorded dead-lettered.
var errDeadLetter = apperr.New(apperr.Unavailable, "chunk_dead_lettered", "some items failed on every receive")

// Outcome is what happened to a chunk.
type Outcome struct {
	Scored, Skipped, Errored, Dead int
	// Stopped is set when the run stopped (cancelled, killed, at its cap).
	Stopped bool
}

// Process scores msg's items. lastReceive is true on the message's final
// delivery before the dead-letter queue. A non-nil error means the message
// must be delivered again (some item may yet succeed); items already
// recorded are skipped then.
func (w *Worker) Process(ctx context.Context, msg Message, lastReceive bool) (Outcome, error) {
	var out Outcome
	sc, err := w.cfg.Tenants.For(ctx, msg.Org)
	if err != nil {
		return out, fmt.Errorf("tenant session: %w", err)
	}
	run, err := w.cfg.Runs.Get(ctx, sc.DynamoDB, msg.Org, msg.Run)
	if errors.Is(err, evalrun.ErrNotFound) {
		return out, nil // the org or run was deleted: nothing left to do
	}
	if err != nil {
		return out, err
	}
	if run.State != evalrun.Running || run.Workspace != msg.Workspace {
		out.Stopped = true
		return out, nil
	}
	env, err := w.prepare(ctx, sc, run)
	if err != nil {
		return out, err
	}
	var retry error
	for _, ref := range msg.Items {
		res, err := w.item(ctx, env, ref, lastReceive)
		switch {
		case errors.Is(err, errStopped):
			out.Stopped = true
			return out, retry
		case err != nil:
			attrs := []any{"org", msg.Org, "run", msg.Run, "item", ref.Index, "error_code", apperr.As(err).Code,
				"error_message", apperr.As(err).Message}
			if k := apperr.KindOf(err); k == apperr.Internal || k == apperr.Unavailable {
				attrs = append(attrs, "error", err) // our own failures; a provider's text never is one
			}
			w.cfg.Logger.WarnContext(ctx, "evaluation item failed; the chunk will be retried", attrs...)
			retry = errRetry
			continue
		}
		switch res {
		case resultScored:
			out.Scored++
		case resultSkipped:
			out.Skipped++
		case resultErrored:
			out.Errored++
		case resultDead:
			out.Dead++
			retry = errDeadLetter
		}
	}
	if err := w.complete(ctx, env); err != nil {
		return out, err
	}
	return out, retry
}

// runEnv is what every item of one run needs.
type runEnv struct {
	sc     *tenant.Scoped
	run    evalrun.Run
	snap   *workspace.Snapshot
	scope  secrets.Scope
	keys   dataset.OrgKeys
	src    Source
	scorer evalplan.ScorerConfig
	owner  string // this worker's lease identity
	extra  []budget.Cap
}

func (w *Worker) prepare(ctx context.Context, sc *tenant.Scoped, run evalrun.Run) (*runEnv, error) {
	snap, err := w.cfg.Workspaces.Load(ctx, sc.DynamoDB, run.Org, run.Workspace)
	if err != nil {
		return nil, err
	}
	scope := secrets.Scope{Org: run.Org, DynamoDB: sc.DynamoDB, KMS: sc.KMS}
	keys := dataset.Bind(w.cfg.Envelope, scope)
	src, err := w.cfg.Sources.Open(ctx, sc.DynamoDB, keys, run.Org, run.Workspace, run.Source)
	if err != nil {
		return nil, err
	}
	var cfg evalplan.ScorerConfig
	if err := json.Unmarshal([]byte(run.ScorerConfig), &cfg); err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "corrupt_run", "internal error")
	}
	return &runEnv{sc: sc, run: run, snap: snap, scope: scope, keys: keys, src: src, scorer: cfg,
		owner: id.New("wk_"), extra: Caps(run, snap)}, nil
}

// Caps are the extra caps every call of run is held against: the run's
// own cap for its lifetime and the workspace's monthly evaluation budget.
func Caps(run evalrun.Run, snap *workspace.Snapshot) []budget.Cap {
	return []budget.Cap{
		{Scope: run.ID, Label: "this evaluation run's", Cap: budgetNano(run.CapNano), Lifetime: true},
		{Scope: EvalScope(run.Workspace), Label: "this workspace's evaluation", Cap: snap.Settings.EvalMonthlyCap},
	}
}

// EvalScope is the budget counter of a workspace's evaluation spend.
func EvalScope(ws string) string { return "eval:" + ws }

// complete decides on the run's results so far and moves the run to
// completed once every item has an outcome. A failed decision is logged,
// never fatal: the next chunk decides again, and a completed run's
// results stay readable for a person to judge.
func (w *Worker) complete(ctx context.Context, env *runEnv) error {
	run, err := w.cfg.Runs.Get(ctx, env.sc.DynamoDB, env.run.Org, env.run.ID)
	if err != nil {
		return err
	}
	if run.State != evalrun.Running {
		return nil
	}
	final := run.Done() >= run.Items
	if w.cfg.Decide != nil {
		if err := w.cfg.Decide(ctx, env.sc, run, final); err != nil {
			w.cfg.Logger.ErrorContext(ctx, "decide recommendation", "org", run.Org, "run", run.ID, "final", final, "error", err)
		}
	}
	if !final {
		return nil
	}
	reason := fmt.Sprintf("all %d items done", run.Items)
	if run.DeadLettered > 0 {
		reason += fmt.Sprintf(", %d dead-lettered", run.DeadLettered)
	}
	err = w.cfg.Runs.Move(ctx, env.sc.DynamoDB, run.Org, run.ID, evalrun.Running, evalrun.Completed, reason)
	if e := apperr.As(err); err != nil && e.Code != "run_state_changed" {
		return err
	}
	return nil
}

// stop moves a running run to a final state after a refusal; a run
// already moved by someone else stays as it is.
func (w *Worker) stop(ctx context.Context, env *runEnv, to evalrun.State, reason string) {
	err := w.cfg.Runs.Move(ctx, env.sc.DynamoDB, env.run.Org, env.run.ID, evalrun.Running, to, reason)
	if e := apperr.As(err); err != nil && e.Code != "run_state_changed" {
		w.cfg.Logger.ErrorContext(ctx, "stop evaluation run", "org", env.run.Org, "run", env.run.ID, "error", err)
	}
}
