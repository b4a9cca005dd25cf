package member

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/ddbtx"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// staleRetries bounds how often a change is re-planned after the member
// changed between its read and its write.
const staleRetries = 5

// Add stores a new member: the member item, its email guard and, for an
// owner, the owner counter, in one transaction, so a member never exists
// without its guard and the counter never misses an owner. It assigns ID
// and Created when they are empty, and returns the member as stored.
func (st *Store) Add(ctx context.Context, db DB, org string, m Member) (Member, error) {
	if err := checkOrg(org); err != nil {
		return Member{}, err
	}
	m, err := validate(m)
	if err != nil {
		return Member{}, err
	}
	if m.ID == "" {
		m.ID = id.New(id.Member)
	}
	if m.Created.IsZero() {
		m.Created = st.clock()
	}
	m.Created = m.Created.UTC()
	item, err := attributevalue.MarshalMap(toItem(org, m))
	if err != nil {
		return Member{}, fmt.Errorf("encode member: %w", err)
	}
	guard := emailGuardKey(org, m.Email)
	guard["member_id"] = str(m.ID)
	absent := aws.String("attribute_not_exists(pk)")
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(st.table), Item: item, ConditionExpression: absent}},
		{Put: &types.Put{TableName: aws.String(st.table), Item: guard, ConditionExpression: absent}},
	}
	if m.Role == Owner {
		items = append(items, st.ownerGained(org))
	}
	err = ddbtx.Write(ctx, db, items, ddbtx.Options{Timeout: timeout, ConflictRetries: conflictRetries})
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return m, nil
	case errors.As(err, &tce) && ddbtx.Failed(tce, 1):
		return Member{}, apperr.Wrap(err, apperr.Conflict, "member_exists",
			"a member with this email already exists").WithParam("email")
	case errors.As(err, &tce) && ddbtx.Failed(tce, 0):
		return Member{}, apperr.Wrap(err, apperr.Conflict, "member_exists",
			"a member with this id already exists").WithParam("id")
	}
	return Member{}, storeErr("add member", err)
}

// SetRole changes a member's role and returns the member as changed. The
// role change and the owner counter move in one transaction, conditional on
// the role read just before, and demoting an owner is refused with
// last_owner when no other owner would remain. Setting the current role
// changes nothing.
func (st *Store) SetRole(ctx context.Context, db DB, org, memberID string, role Role) (Member, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return Member{}, err
	}
	for attempt := 0; ; attempt++ {
		m, err := st.Get(ctx, db, org, memberID)
		if err != nil || m.Role == role {
			return m, err
		}
		items := []types.TransactWriteItem{{Update: &types.Update{
			TableName:                 aws.String(st.table),
			Key:                       memberKey(org, memberID),
			UpdateExpression:          aws.String("SET #r = :new"),
			ConditionExpression:       aws.String("#r = :old"),
			ExpressionAttributeNames:  map[string]string{"#r": "role"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":new": str(string(role)), ":old": str(string(m.Role))},
		}}}
		switch {
		case m.Role == Owner:
			items = append(items, st.ownerLost(org))
		case role == Owner:
			items = append(items, st.ownerGained(org))
		}
		retry, err := st.commit(ctx, db, items, m.Role == Owner, attempt, "set member role")
		if retry {
			continue
		}
		if err != nil {
			return Member{}, err
		}
		m.Role = role
		return m, nil
	}
}

// Remove deletes a member and its email guard, and for an owner decrements
// the counter in the same transaction; removing the last owner is refused
// with last_owner.
func (st *Store) Remove(ctx context.Context, db DB, org, memberID string) error {
	for attempt := 0; ; attempt++ {
		m, err := st.Get(ctx, db, org, memberID)
		if err != nil {
			return err
		}
		items := []types.TransactWriteItem{
			{Delete: &types.Delete{
				TableName:                 aws.String(st.table),
				Key:                       memberKey(org, memberID),
				ConditionExpression:       aws.String("#r = :old"),
				ExpressionAttributeNames:  map[string]string{"#r": "role"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":old": str(string(m.Role))},
			}},
			{Delete: &types.Delete{
				TableName:                 aws.String(st.table),
				Key:                       emailGuardKey(org, m.Email),
				ConditionExpression:       aws.String("member_id = :id"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(memberID)},
			}},
		}
		if m.Role == Owner {
			items = append(items, st.ownerLost(org))
		}
		retry, err := st.commit(ctx, db, items, m.Role == Owner, attempt, "remove member")
		if !retry {
			return err
		}
	}
}

// commit writes a role change or removal planned from a read of the member
// (item 0, conditional on the role read). It reports retry when the member
// changed since the read, so the caller re-plans from a fresh read. When
// ownerLost, the last item is the owner counter's decrement, and its
// condition failing means the change would remove the last owner. Any other
// failed condition is a broken invariant (an email guard naming someone else).
func (st *Store) commit(ctx context.Context, db DB, items []types.TransactWriteItem, ownerLost bool, attempt int, op string) (retry bool, err error) {
	err = ddbtx.Write(ctx, db, items, ddbtx.Options{Timeout: timeout, ConflictRetries: conflictRetries})
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return false, nil
	case !errors.As(err, &tce) || ddbtx.ConflictOnly(tce):
		return false, storeErr(op, err)
	case ddbtx.Failed(tce, 0) && attempt < staleRetries:
		return true, nil
	case ddbtx.Failed(tce, 0):
		return false, apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Conflict, "member_changed",
			"the member is being changed by another request; retry")
	case ownerLost && ddbtx.Failed(tce, len(items)-1):
		return false, errLastOwner
	}
	for i := range items {
		if ddbtx.Failed(tce, i) {
			return false, corrupt(op, fmt.Errorf("item %d failed its condition: %w", i, err))
		}
	}
	return false, storeErr(op, err)
}
