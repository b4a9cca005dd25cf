package retention

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Checkpoint item: global, reachable only by the retention function's role.
const (
	CheckpointPK = "JOB#retention"
	checkpointSK = "CHECKPOINT"
)

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

func (j *Job) loadCheckpoint(ctx context.Context) (checkpoint, error) {
	out, err := j.cfg.Registry.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(j.cfg.Table), Key: checkpointKey(), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return checkpoint{}, fmt.Errorf("read retention checkpoint: %w", err)
	}
	var cp checkpoint
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &cp); err != nil {
			return checkpoint{}, fmt.Errorf("decode retention checkpoint: %w", err)
		}
	}
	return cp, nil
}

func (j *Job) saveCheckpoint(ctx context.Context, cp checkpoint) error {
	item, err := attributevalue.MarshalMap(cp)
	if err != nil {
		return fmt.Errorf("encode retention checkpoint: %w", err)
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

func (e *checkpointError) Error() string { return "save retention checkpoint: " + e.err.Error() }
func (e *checkpointError) Unwrap() error { return e.err }

func checkpointKey() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: CheckpointPK},
		"sk": &types.AttributeValueMemberS{Value: checkpointSK},
	}
}
