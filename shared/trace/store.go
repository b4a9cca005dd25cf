package trace

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/ddbtx"
	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// DB is what the store needs from an org's scoped DynamoDB client.
type DB interface {
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Store writes and reads traces and their daily aggregates. It holds no
// mutable state and is safe for concurrent use.
type Store struct {
	table string
	clock func() time.Time
}

// NewStore returns a Store on table; clock decides what has expired.
func NewStore(table string, clock func() time.Time) *Store {
	if clock == nil {
		clock = time.Now
	}
	return &Store{table: table, clock: clock}
}

// aggregateTTL keeps daily aggregates about 13 months, for month-over-month views.
const aggregateTTL = 400 * 24 * time.Hour

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// Writes returns the transaction items that record t exactly once: the
// trace itself (index 0, conditional on absence, so a replayed ID changes
// nothing), its daily aggregates, and the markers retention needs.
func (st *Store) Writes(t *Trace, retention time.Duration) ([]types.TransactWriteItem, error) {
	if !ValidID(t.ID) || t.Org == "" || t.Time.IsZero() {
		return nil, fmt.Errorf("trace: id, org and time are required")
	}
	t = scrubbed(t) // the item and its aggregate dimensions alike
	item, err := attributevalue.MarshalMap(t)
	if err != nil {
		return nil, fmt.Errorf("encode trace: %w", err)
	}
	item["pk"], item["sk"] = s(t.PK()), s(t.SK())
	item["time"] = s(t.Time.UTC().Format(time.RFC3339Nano))
	expires := t.Time.Add(retention)
	item["expires_at"] = n(expires.Unix())
	table := aws.String(st.table)
	items := []types.TransactWriteItem{{Put: &types.Put{
		TableName: table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}}
	day := t.Day()
	for _, dim := range dimensions(t) {
		items = append(items, st.aggregateUpdate(t, day, dim))
	}
	items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: table, Item: map[string]types.AttributeValue{
		"pk": s("ORG#" + t.Org), "sk": s(expiryMarkerSK(expires.UTC().Format("20060102"), day, spreadOf(t.ID))), "day": s(day),
	}}})
	if t.SealedContent != "" && t.RedactAt > 0 {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: table, Item: map[string]types.AttributeValue{
			"pk": s("ORG#" + t.Org + "#REDACT"), "sk": s(fmt.Sprintf("%012d#%s", t.RedactAt, t.ID)),
			"trace_pk": item["pk"], "trace_sk": item["sk"],
		}}})
	}
	return items, nil
}

// Record writes t with Writes in one transaction. duplicate reports that
// an event with t's ID and time was already recorded; nothing was written.
func (st *Store) Record(ctx context.Context, db DB, t *Trace, retention time.Duration) (duplicate bool, err error) {
	items, err := st.Writes(t, retention)
	if err != nil {
		return false, apperr.Wrap(err, apperr.Invalid, "invalid_trace", "the trace is missing its id, org or time")
	}
	err = ddbtx.Write(ctx, db, items, ddbtx.Options{Timeout: 5 * time.Second, ConflictRetries: 10})
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return false, nil
	case errors.As(err, &tce) && ddbtx.Failed(tce, 0):
		return true, nil
	}
	return false, apperr.Wrap(fmt.Errorf("record trace: %w", err), apperr.Unavailable, "trace_store_unavailable",
		"the trace could not be stored; retry shortly").WithRetryAfter(time.Second)
}

// scrubbed is a copy of t whose caller-supplied text (model and alias as
// asked, tags, feature label, provider name, error code) holds no
// credential: traces are stored in clear, and a key pasted into a tag or
// a model name must not be.
func scrubbed(t *Trace) *Trace {
	c := *t
	c.Alias, c.Provider, c.Model = scrub.String(t.Alias), scrub.String(t.Provider), scrub.String(t.Model)
	c.Feature, c.ErrorCode = scrub.String(t.Feature), scrub.String(t.ErrorCode)
	if len(t.Tags) > 0 {
		c.Tags = make(map[string]string, len(t.Tags))
		for k, v := range t.Tags {
			c.Tags[scrub.String(k)] = scrub.String(v)
		}
	}
	return &c
}
