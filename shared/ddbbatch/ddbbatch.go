// Package ddbbatch deletes many items with BatchWriteItem the way
// DynamoDB asks: at most 25 per request, resending what it leaves
// unprocessed with backoff. Retention and org deletion both need it, and
// both rely on a delete of a missing item succeeding, so a rerun after a
// crash simply repeats what was already done.
package ddbbatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Writer is the one call this package makes.
type Writer interface {
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// MaxBatch is DynamoDB's limit of requests per BatchWriteItem.
const MaxBatch = 25

// maxAttempts bounds the resends of one batch's unprocessed items
// (throttling).
const maxAttempts = 20 // about half a minute of backoff

// ErrUnprocessed says DynamoDB kept leaving items unprocessed.
var ErrUnprocessed = errors.New("DynamoDB kept items unprocessed")

// Delete deletes keys (each holding exactly the table's key attributes).
func Delete(ctx context.Context, db Writer, table string, keys []map[string]types.AttributeValue) error {
	for len(keys) > 0 {
		batch := keys[:min(MaxBatch, len(keys))]
		keys = keys[len(batch):]
		reqs := make([]types.WriteRequest, len(batch))
		for i, k := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
		}
		pending := map[string][]types.WriteRequest{table: reqs}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt >= maxAttempts {
				return ErrUnprocessed
			}
			if attempt > 0 {
				if err := wait(ctx, backoff(attempt)); err != nil {
					return err
				}
			}
			out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("batch delete: %w", err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}

// wait pauses between resends; tests replace it.
var wait = sleep

// backoff grows from 100ms to a 2s ceiling.
func backoff(attempt int) time.Duration {
	return min(50*time.Millisecond<<min(attempt, 6), 2*time.Second)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
