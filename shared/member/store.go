package member

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// DB is what the store needs from an org's scoped DynamoDB client. Passing
// the scoped client, never a table-wide one, is what keeps one org's call
// from reaching another org's members.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store reads and changes an org's members. It holds no mutable state and
// is safe for concurrent use.
type Store struct {
	table string
	clock func() time.Time
}

// NewStore returns a Store on table; clock stamps new members.
func NewStore(table string, clock func() time.Time) *Store {
	if clock == nil {
		clock = time.Now
	}
	return &Store{table: table, clock: clock}
}

// timeout bounds each DynamoDB call; conflictRetries bounds retries of a
// transaction that collided on the owner counter with a concurrent one.
const (
	timeout         = 5 * time.Second
	conflictRetries = 20
)

var errNotFound = apperr.New(apperr.NotFound, "member_not_found", "no such member")

// Get returns one member. A malformed ID is reported as not found without
// a read: it cannot name a member, and the answer must not differ.
func (st *Store) Get(ctx context.Context, db DB, org, memberID string) (Member, error) {
	if err := checkOrg(org); err != nil {
		return Member{}, err
	}
	if !id.Valid(id.Member, memberID) {
		return Member{}, errNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(st.table), Key: memberKey(org, memberID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Member{}, storeErr("get member", err)
	}
	if out.Item == nil {
		return Member{}, errNotFound
	}
	var it memberItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return Member{}, corrupt("decode member", err)
	}
	return it.member(), nil
}

// List returns every member of the org, sorted by email (case-insensitive,
// then by ID) so pages and audit diffs are stable.
func (st *Store) List(ctx context.Context, db DB, org string) ([]Member, error) {
	if err := checkOrg(org); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var members []Member
	var start map[string]types.AttributeValue
	for {
		out, err := db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(st.table),
			KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :pre)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(PK(org)), ":pre": str(skMemberPre)},
			ConsistentRead:            aws.Bool(true),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, storeErr("list members", err)
		}
		for _, raw := range out.Items {
			var it memberItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return nil, corrupt("decode member", err)
			}
			members = append(members, it.member())
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	sort.Slice(members, func(i, j int) bool {
		a, b := strings.ToLower(members[i].Email), strings.ToLower(members[j].Email)
		if a != b {
			return a < b
		}
		return members[i].ID < members[j].ID
	})
	return members, nil
}

// OwnerCount returns the org's owner counter: the number the last-owner
// check relies on, exposed so tests and health checks can compare it with
// the owner items.
func (st *Store) OwnerCount(ctx context.Context, db DB, org string) (int64, error) {
	if err := checkOrg(org); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(st.table), Key: ownersKey(org), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, storeErr("read owner count", err)
	}
	c, ok := out.Item["count"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(c.Value, 10, 64)
	if err != nil {
		return 0, corrupt("decode owner count", err)
	}
	return n, nil
}

// checkOrg refuses an org ID that is not one: it would build a partition
// key outside the org's own.
func checkOrg(org string) error {
	if !id.Valid(id.Org, org) {
		return apperr.New(apperr.Invalid, "invalid_org", "organization id is not valid")
	}
	return nil
}

// storeErr classifies a DynamoDB failure. An access denial means the caller
// passed another org's client: a bug, not something a retry fixes.
func storeErr(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException" {
		return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Internal, "internal_error", "internal error")
	}
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "member_store_unavailable",
		"members could not be read or changed; retry shortly").WithRetryAfter(time.Second)
}

func corrupt(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Internal, "corrupt_member", "internal error")
}
