package orgdata

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// eachPage runs fn on every page of in's results until fn says stop.
// Store failures are Unavailable; fn's own errors pass through.
func eachPage(ctx context.Context, db OrgDB, in *dynamodb.QueryInput, op string, fn func([]item) (more bool, err error)) error {
	for {
		out, err := db.Query(ctx, in)
		if err != nil {
			return unavailable(op, err)
		}
		more, err := fn(out.Items)
		if err != nil || !more || out.LastEvaluatedKey == nil {
			return err
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// purge deletes every item in's query returns (in must project pk and sk),
// counting them by family. before runs on each page ahead of its deletion.
// Deleting a page does not disturb the query's paging, which resumes after
// the page's last key.
func purge(ctx context.Context, db OrgDB, table, org, op string, in *dynamodb.QueryInput, counts Counts, before func([]item) error) error {
	return eachPage(ctx, db, in, op, func(page []item) (bool, error) {
		if before != nil {
			if err := before(page); err != nil {
				return false, err
			}
		}
		keys := make([]item, len(page))
		for i, it := range page {
			keys[i] = item{"pk": it["pk"], "sk": it["sk"]}
		}
		if err := deleteKeys(ctx, db, table, keys); err != nil {
			return false, err
		}
		for _, it := range page {
			counts[family(org, str(it, "pk"), str(it, "sk"))]++
		}
		return true, nil
	})
}

// maxBatch is BatchWriteItem's limit; maxAttempts bounds resending what
// DynamoDB leaves unprocessed (throttling), about a minute of backoff.
const (
	maxBatch    = 25
	maxAttempts = 40
)

// deleteKeys deletes keys in batches of 25, resending unprocessed requests
// with exponential backoff. Deleting a missing item succeeds, so a rerun
// after a crash simply repeats what was already done.
func deleteKeys(ctx context.Context, db OrgDB, table string, keys []item) error {
	for len(keys) > 0 {
		batch := keys[:min(maxBatch, len(keys))]
		keys = keys[len(batch):]
		reqs := make([]types.WriteRequest, len(batch))
		for i, k := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
		}
		pending := map[string][]types.WriteRequest{table: reqs}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt >= maxAttempts {
				return unavailable("delete items", errors.New("DynamoDB kept items unprocessed"))
			}
			if attempt > 0 {
				if err := sleep(ctx, backoff(attempt)); err != nil {
					return unavailable("delete items", err)
				}
			}
			out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return unavailable("delete items", err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}

// backoff grows from 50ms to a 2s ceiling.
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
