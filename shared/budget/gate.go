package budget

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/ddbtx"
)

// DB is the part of the DynamoDB API the gate uses; the caller passes the
// org's scoped client, so the gate can touch only that org's counters.
type DB interface {
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Config configures a Gate.
type Config struct {
	Table string
	// HoldFor is how long a reservation lives before Reconcile may release
	// it; it must outlast the longest call (the function timeout). Default 15 minutes.
	HoldFor time.Duration
	// Timeout bounds each budget-store round trip; past it the call is
	// refused (fail closed). Default 2 seconds.
	Timeout time.Duration
	// Shards spreads reservation records over partitions. Default 8.
	Shards int
	// ConflictRetries bounds retries of a transaction that collided with a
	// concurrent one on the same counter. Default 8.
	ConflictRetries int
	Clock           func() time.Time
}

// Gate reserves and settles. It holds no mutable state and is safe for
// concurrent use.
type Gate struct{ cfg Config }

// New returns a Gate with cfg's defaults filled in.
func New(cfg Config) *Gate {
	if cfg.HoldFor == 0 {
		cfg.HoldFor = 15 * time.Minute
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Shards == 0 {
		cfg.Shards = 8
	}
	if cfg.ConflictRetries == 0 {
		cfg.ConflictRetries = 8
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Gate{cfg: cfg}
}

func period(t time.Time) string { return t.UTC().Format("2006-01") }
func minute(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }

func budgetPK(org, scope string) string { return "ORG#" + org + "#BUDGET#" + scope }
func ratePK(org, scope string) string   { return "ORG#" + org + "#RATE#" + scope }
func resPK(org string, shard int) string {
	return "ORG#" + org + "#RES#" + strconv.Itoa(shard)
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func (g *Gate) shard(requestID string) int {
	h := fnv.New32a()
	h.Write([]byte(requestID))
	return int(h.Sum32() % uint32(g.cfg.Shards))
}

// unavailable is the fail-closed refusal: the budget could not be checked,
// so the provider is not called.
func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "budget_store_unavailable",
		"spend limits could not be checked; the request was not sent").WithRetryAfter(time.Second)
}

// transact runs a transaction, retrying collisions with concurrent ones.
// A failed condition comes back as *types.TransactionCanceledException;
// any other failure refuses the call (fail closed).
func (g *Gate) transact(ctx context.Context, db DB, op string, items []types.TransactWriteItem) error {
	err := ddbtx.Write(ctx, db, items, ddbtx.Options{Timeout: g.cfg.Timeout, ConflictRetries: g.cfg.ConflictRetries})
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && !ddbtx.ConflictOnly(tce) {
		return tce
	}
	return unavailable(op, err)
}
