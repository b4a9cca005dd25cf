// Package ddbtx writes DynamoDB transactions the way Tollgate needs on its
// hot counters: a transaction that collided with a concurrent one on the same
// item (TransactionConflict) is retried with jittered backoff; one cancelled
// by a failed condition is returned as the *types.TransactionCanceledException
// so the caller can read which item failed; anything else is returned as is.
package ddbtx

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Writer is the one DynamoDB call this package makes.
type Writer interface {
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Options bound the write.
type Options struct {
	// Timeout bounds each attempt.
	Timeout time.Duration
	// ConflictRetries bounds retries after TransactionConflict.
	ConflictRetries int
}

// Write runs items as one transaction. The ctx error is returned when ctx
// ends during a backoff.
func Write(ctx context.Context, db Writer, items []types.TransactWriteItem, o Options) error {
	backoff := 2 * time.Millisecond
	for attempt := 0; ; attempt++ {
		tctx, cancel := context.WithTimeout(ctx, o.Timeout)
		_, err := db.TransactWriteItems(tctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		cancel()
		if err == nil {
			return nil
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return err
		}
		if !ConflictOnly(tce) || attempt >= o.ConflictRetries {
			return tce
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff/2 + rand.N(backoff)):
		}
		backoff = min(backoff*2, 100*time.Millisecond)
	}
}

// ConflictOnly reports whether a cancellation was caused only by concurrent
// transactions, not by a failed condition.
func ConflictOnly(tce *types.TransactionCanceledException) bool {
	conflict := false
	for _, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "", "None":
		case "TransactionConflict":
			conflict = true
		default:
			return false
		}
	}
	return conflict
}

// Failed reports whether item i of a cancelled transaction failed its condition.
func Failed(tce *types.TransactionCanceledException, i int) bool {
	return i < len(tce.CancellationReasons) && aws.ToString(tce.CancellationReasons[i].Code) == "ConditionalCheckFailed"
}
