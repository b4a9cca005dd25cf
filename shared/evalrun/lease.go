package evalrun

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

func leaseSK(index int64) string { return fmt.Sprintf("LEASE#%06d", index) }

// ErrLeaseHeld means another worker is scoring the item now (a message
// delivered twice at once); this one must leave it and retry later.
var ErrLeaseHeld = apperr.New(apperr.Conflict, "item_leased", "another worker holds the item")

// Lease claims item index for owner until now+d, or renews owner's claim.
// Only one worker calls providers for an item at a time, so no call is
// made twice concurrently; a dead worker's lease runs out and the item is
// reclaimed. A live lease of another owner is ErrLeaseHeld.
func (s *Store) Lease(ctx context.Context, db DB, org, run string, index int64, owner string, d time.Duration) error {
	now := s.clock().UTC()
	item := key(runPK(org, run), leaseSK(index))
	item["owner"] = str(owner)
	item["until"] = num(now.Add(d).UnixMilli())
	// The TTL only tidies leases of items that were never recorded.
	item["expires_at"] = num(now.Add(d).Add(7 * 24 * time.Hour).Unix())
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item,
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR #o = :me OR #u < :now"),
		ExpressionAttributeNames:  map[string]string{"#o": "owner", "#u": "until"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":me": str(owner), ":now": num(now.UnixMilli())},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrLeaseHeld
	}
	if err != nil {
		return unavailable("lease item", err)
	}
	return nil
}

// Release gives up owner's lease on an item it did not record (the run
// stopped), so nothing waits for it to run out.
func (s *Store) Release(ctx context.Context, db interface {
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}, org, run string, index int64, owner string) error {
	_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: key(runPK(org, run), leaseSK(index)),
		ConditionExpression:       aws.String("#o = :me"),
		ExpressionAttributeNames:  map[string]string{"#o": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":me": str(owner)},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return unavailable("release item", err)
	}
	return nil
}
