package evalrun

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/ddbtx"
)

func itemSK(index int64) string { return fmt.Sprintf("ITEM#%06d", index) }

// Record stores an item's result and adds it to the run's counters and
// spend in one transaction, conditional on the item being new, and
// releases the item's lease and deletes the records of its calls (roles):
// their sealed answers are kept only until the item is scored. recorded is false when the item was already
// recorded (a redelivered message): nothing changed, and the worker must
// not call a provider for it again. A stopped run (cancelled, aborted)
// still takes results of calls already made, so its spend adds up; a
// pending, completed or failed run is Conflict run_not_running.
func (s *Store) Record(ctx context.Context, db DB, org, run string, res Result, roles ...string) (recorded bool, err error) {
	if res.Index < 0 || res.CostNano < 0 || res.Baseline < 0 || res.Baseline > 1 || res.Candidate < 0 || res.Candidate > 1 {
		return false, apperr.New(apperr.Invalid, "invalid_result", "scores are in [0,1], cost and index are non-negative")
	}
	item, err := attributevalue.MarshalMap(res)
	if err != nil {
		return false, fmt.Errorf("encode result: %w", err)
	}
	item["pk"], item["sk"] = str(runPK(org, run)), str(itemSK(res.Index))
	counter := "scored"
	switch {
	case res.Dead:
		counter = "dead"
	case res.Error != "":
		counter = "errored"
	}
	now := s.clock().UTC()
	tidy := make([]types.TransactWriteItem, 0, len(roles))
	for _, role := range roles {
		tidy = append(tidy, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.table),
			Key: key(runPK(org, run), callSKPrefix(res.Index)+role)}})
	}
	err = ddbtx.Write(ctx, db, append([]types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{
			TableName:                aws.String(s.table),
			Key:                      key(runPK(org, run), "RUN"),
			UpdateExpression:         aws.String("ADD " + counter + " :one, spent_nano :cost SET updated_at = :now"),
			ConditionExpression:      aws.String("#s IN (:running, :cancelled, :aborted)"),
			ExpressionAttributeNames: map[string]string{"#s": "state"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":cost": num(res.CostNano),
				":running": str(string(Running)), ":cancelled": str(string(Cancelled)), ":aborted": str(string(AbortedByCap)),
				":now": str(now.Format(time.RFC3339Nano))},
		}},
		{Delete: &types.Delete{TableName: aws.String(s.table), Key: key(runPK(org, run), leaseSK(res.Index))}},
	}, tidy...), ddbtx.Options{Timeout: 5 * time.Second, ConflictRetries: 20})
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &tce) && ddbtx.Failed(tce, 0):
		return false, nil
	case errors.As(err, &tce) && ddbtx.Failed(tce, 1):
		return false, apperr.New(apperr.Conflict, "run_not_running", "the run is not running")
	}
	return false, unavailable("record item", err)
}

// Done reports whether item index already has a result, so a redelivered
// chunk skips it before any provider call.
func (s *Store) Done(ctx context.Context, db DB, org, run string, index int64) (bool, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(runPK(org, run), itemSK(index)),
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("pk")})
	if err != nil {
		return false, unavailable("read item", err)
	}
	return out.Item != nil, nil
}

// Results lists a run's item results in index order.
func (s *Store) Results(ctx context.Context, db DB, org, run string) ([]Result, error) {
	return queryAll[Result](ctx, db, s.prefixQuery(org, run, "ITEM#"), "read results")
}
