package token

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Updater is the one call Touch makes, with the org's scoped client.
type Updater interface {
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Toucher records when tokens were last used, for the token listing. A
// write per request would double the gateway's writes, so each instance
// writes a token's time at most once per Every: "last used" is exact to
// that resolution. It is safe for concurrent use.
type Toucher struct {
	table string
	every time.Duration
	clock func() time.Time

	mu   sync.Mutex
	last map[string]time.Time // token ID → when this instance last wrote it
}

// NewToucher returns a Toucher; every defaults to one minute, clock to time.Now.
func NewToucher(table string, every time.Duration, clock func() time.Time) *Toucher {
	if every == 0 {
		every = time.Minute
	}
	if clock == nil {
		clock = time.Now
	}
	return &Toucher{table: table, every: every, clock: clock, last: map[string]time.Time{}}
}

// maxTracked bounds the per-instance memory; past it the map starts over,
// which costs at most one extra write per token.
const maxTracked = 10_000

// Touch sets the token record's last_used_at to now if this instance has
// not done so within Every. It never creates a record: a token revoked or
// purged meanwhile is left alone. Callers treat an error as a log line,
// never as a reason to fail the request.
func (t *Toucher) Touch(ctx context.Context, db Updater, org, tokenID string) error {
	now := t.clock().UTC()
	t.mu.Lock()
	if at, ok := t.last[tokenID]; ok && now.Sub(at) < t.every && !now.Before(at) {
		t.mu.Unlock()
		return nil
	}
	if len(t.last) >= maxTracked {
		t.last = map[string]time.Time{}
	}
	t.last[tokenID] = now
	t.mu.Unlock()
	_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(t.table),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: orgPK(org)}, "sk": &types.AttributeValueMemberS{Value: skPrefix + tokenID}},
		UpdateExpression:          aws.String("SET #u = :now"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames:  map[string]string{"#u": attrLastUsed},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberS{Value: now.Format(time.RFC3339)}},
	})
	if err != nil && !conditionFailed(err) {
		return unavailable("record last use", err)
	}
	return nil
}
