package retention

import (
	"context"

	"github.com/tollgate-dev/tollgate/shared/jobcheckpoint"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Checkpoint item: global, reachable only by the retention function's role.
const CheckpointPK = "JOB#retention"

// step is one org's unit of work, done in this order.
type step string

const (
	stepReservations step = "reservations"
	stepRedact       step = "redact"
	stepTraces       step = "traces"
	stepTokens       step = "tokens"
)

var steps = []step{stepReservations, stepRedact, stepTraces, stepTokens}

// checkpoint is where a pass over the registry stands. Org is the org in
// progress ("" between orgs), After the last org finished in this pass.
type checkpoint struct {
	PassStarted int64              `dynamodbav:"pass_started"` // unix seconds
	After       string             `dynamodbav:"after"`
	Org         string             `dynamodbav:"org"`
	Step        step               `dynamodbav:"step"`
	Group       trace.Expired      `dynamodbav:"group"`
	Cursor      trace.DeleteCursor `dynamodbav:"cursor"`
	Passes      int64              `dynamodbav:"passes"` // completed passes, for progress logs
	LastPassEnd int64              `dynamodbav:"last_pass_end"`
}

func (j *Job) checkpoints() jobcheckpoint.Store[checkpoint] {
	return jobcheckpoint.Store[checkpoint]{Table: j.cfg.Table, Job: "retention", PK: CheckpointPK}
}

func (j *Job) loadCheckpoint(ctx context.Context) (checkpoint, error) {
	return j.checkpoints().Load(ctx, j.cfg.Registry)
}

// saveCheckpoint fails with a *jobcheckpoint.SaveError, which stops the run.
func (j *Job) saveCheckpoint(ctx context.Context, cp checkpoint) error {
	return j.checkpoints().Save(ctx, j.cfg.Registry, cp)
}
