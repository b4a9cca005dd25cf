package drift

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Checkpoint item: global, reachable only by the drift function's role.
const (
	CheckpointPK = "JOB#drift"
	checkpointSK = "CHECKPOINT"
)

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

func (j *Job) loadCheckpoint(ctx context.Context) (checkpoint, error) {
	out, err := j.cfg.Registry.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(j.cfg.Table), Key: checkpointKey(), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return checkpoint{}, fmt.Errorf("read drift checkpoint: %w", err)
	}
	var cp checkpoint
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &cp); err != nil {
			return checkpoint{}, fmt.Errorf("decode drift checkpoint: %w", err)
		}
	}
	return cp, nil
}

func (j *Job) saveCheckpoint(ctx context.Context, cp checkpoint) error {
	item, err := attributevalue.MarshalMap(cp)
	if err != nil {
		return fmt.Errorf("encode drift checkpoint: %w", err)
	}
	for k, v := range checkpointKey() {
		item[k] = v
	}
	if _, err := j.cfg.Registry.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(j.cfg.Table), Item: item}); err != nil {
		return &checkpointError{err}
	}
	return nil
}

// checkpointError stops the whole run: without its checkpoint the job
// cannot promise to resume where it left off.
type checkpointError struct{ err error }

func (e *checkpointError) Error() string { return "save drift checkpoint: " + e.err.Error() }
func (e *checkpointError) Unwrap() error { return e.err }

func checkpointKey() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: CheckpointPK},
		"sk": &types.AttributeValueMemberS{Value: checkpointSK},
	}
}
