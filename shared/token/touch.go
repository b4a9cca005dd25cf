package token

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/throttle"
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
	clock func() time.Time
	due   *throttle.Every // token ID → when this instance last wrote it
}

// NewToucher returns a Toucher; every defaults to one minute, clock to time.Now.
func NewToucher(table string, every time.Duration, clock func() time.Time) *Toucher {
	if every == 0 {
		every = time.Minute
	}
	if clock == nil {
		clock = time.Now
	}
	return &Toucher{table: table, clock: clock, due: throttle.New(every)}
}

// Touch sets the token record's last_used_at to now if this instance has
// not done so within Every. It never creates a record: a token revoked or
// purged meanwhile is left alone. Callers treat an error as a log line,
// never as a reason to fail the request.
func (t *Toucher) Touch(ctx context.Context, db Updater, org, tokenID string) error {
	now := t.clock().UTC()
	if !t.due.Due(tokenID, now) {
		return nil
	}
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
