package drift

import (
	"context"

	"github.com/tollgate-dev/tollgate/shared/jobcheckpoint"
)

// Checkpoint item: global, reachable only by the drift function's role.
const CheckpointPK = "JOB#drift"

// step is one org's unit of work, done in this order.
type step string

const (
	stepDrift step = "drift"
	stepAlso  step = "also"
)

var steps = []step{stepDrift, stepAlso}

// checkpoint is where a pass over the registry stands. A pass evaluates
// one pair of windows for every org: WindowEnd is fixed when it starts.
// Org is the org in progress ("" between orgs), After the last org
// finished in this pass. An org's models in use are fixed when its drift
// step starts (Listed), so a resumed org keeps its family size.
type checkpoint struct {
	PassStarted int64    `dynamodbav:"pass_started"` // unix seconds
	WindowEnd   int64    `dynamodbav:"window_end"`   // the pass's recent window end; 0 between passes
	After       string   `dynamodbav:"after"`
	Org         string   `dynamodbav:"org"`
	Step        step     `dynamodbav:"step"`
	Listed      bool     `dynamodbav:"listed"`
	Models      []string `dynamodbav:"models"`
	ModelsDone  int      `dynamodbav:"models_done"`

	Passes        int64 `dynamodbav:"passes"` // completed passes, for progress logs
	LastPassEnd   int64 `dynamodbav:"last_pass_end"`
	LastWindowEnd int64 `dynamodbav:"last_window_end"`
}

// startOrg resets the per-org position for org ("" between orgs).
func (cp *checkpoint) startOrg(org string) {
	cp.Org, cp.Step, cp.Listed, cp.Models, cp.ModelsDone = org, "", false, nil, 0
	if org != "" {
		cp.Step = steps[0]
	}
}

func (j *Job) checkpoints() jobcheckpoint.Store[checkpoint] {
	return jobcheckpoint.Store[checkpoint]{Table: j.cfg.Table, Job: "drift", PK: CheckpointPK}
}

func (j *Job) loadCheckpoint(ctx context.Context) (checkpoint, error) {
	return j.checkpoints().Load(ctx, j.cfg.Registry)
}

// saveCheckpoint fails with a *jobcheckpoint.SaveError, which stops the run.
func (j *Job) saveCheckpoint(ctx context.Context, cp checkpoint) error {
	return j.checkpoints().Save(ctx, j.cfg.Registry, cp)
}
