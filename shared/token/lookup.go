package token

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/auth"
)

// The global lookup family: one item per secret, the only thing
// authentication reads. Writing one makes a secret work; deleting it, or
// moving its valid_until to now, stops it.

func lookupKey(hash string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": s(auth.LookupPK(hash)), "sk": s(auth.LookupSK)}
}

// principal is what a secret of r authenticates as.
func (r *record) principal(org string) auth.Principal {
	return auth.Principal{
		Org: org, Workspace: r.Workspace, TokenID: r.ID, Member: r.Member, Scopes: r.Scopes,
		CapNano: r.CapNano, RPM: r.RPM, TPM: r.TPM,
	}
}

// putLookup makes a fresh secret work until validUntil. It never replaces
// an item: a hash is new randomness, so an existing one means a bug.
func (m *Manager) putLookup(ctx context.Context, db LookupDB, hash string, p auth.Principal, validUntil time.Time) error {
	ctx, cancel := m.call(ctx)
	defer cancel()
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(m.cfg.Table),
		Item:                auth.LookupItem(hash, p, validUntil),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil {
		return unavailable("write token lookup", err)
	}
	return nil
}

// deleteLookup stops a secret at once. Deleting a missing item succeeds,
// which is what makes revocation and clean-up idempotent.
func (m *Manager) deleteLookup(ctx context.Context, db LookupDB, hash string) error {
	if hash == "" {
		return nil
	}
	ctx, cancel := m.call(ctx)
	defer cancel()
	_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(m.cfg.Table), Key: lookupKey(hash)})
	if err != nil {
		return unavailable("delete token lookup", err)
	}
	return nil
}

// endLookup makes a secret stop working at until (its grace), moving the
// item's TTL along with it. A secret already gone or already past its
// validity is left alone: ending a grace never brings a secret back.
func (m *Manager) endLookup(ctx context.Context, db LookupDB, hash string, until, now time.Time) error {
	ctx, cancel := m.call(ctx)
	defer cancel()
	_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(m.cfg.Table),
		Key:                 lookupKey(hash),
		UpdateExpression:    aws.String("SET valid_until = :until, expires_at = :ttl"),
		ConditionExpression: aws.String("attribute_exists(pk) AND valid_until > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": unix(until), ":ttl": unix(until.Add(24 * time.Hour)), ":now": unix(now),
		},
	})
	if err != nil && !conditionFailed(err) {
		return unavailable("end token lookup", err)
	}
	return nil
}
