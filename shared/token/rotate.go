package token

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/auth"
)

// Rotate replaces a token's secret and returns the new one. The secret it
// replaces keeps working until now+grace (at most MaxGrace, never past the
// token's expiry), so deployments can switch over; grace 0 stops it at
// once. A rotation also ends any earlier rotation's grace: only the secret
// the caller holds gets one.
//
// The steps run in an order that is safe to retry after any failure: the
// secret the caller holds is ended only after the new one works and the
// record names it, and the record's rotation_pending marker (cleared last,
// just before the new secret is returned) tells a retry that the caller
// still holds prev_hash, not hash, so the retry keeps prev_hash working and
// discards the secret nobody received.
func (m *Manager) Rotate(ctx context.Context, org OrgDB, lookups LookupDB, orgID, tokID string, grace time.Duration) (string, Token, error) {
	if grace < 0 || grace > m.cfg.MaxGrace {
		return "", Token{}, invalid(CodeInvalidGrace, "grace", "grace must be between 0 and "+m.cfg.MaxGrace.String())
	}
	r, err := m.load(ctx, org, orgID, tokID, false)
	if err != nil {
		return "", Token{}, err
	}
	now := m.now()
	switch {
	case !r.Revoked.IsZero():
		return "", Token{}, errRevoked
	case !now.Before(r.ValidUntil):
		return "", Token{}, errExpired
	}
	held, unheld := r.Hash, r.PrevHash
	if r.Pending {
		held, unheld = r.PrevHash, r.Hash
	}
	graceEnd := now.Add(grace)
	if graceEnd.After(r.ValidUntil) {
		graceEnd = r.ValidUntil
	}

	// 1. Stop the secret the caller does not hold: one an unfinished
	// rotation never handed out, or the previous rotation's old secret.
	// The record still names it, so a failure here strands nothing.
	if err := m.deleteLookup(ctx, lookups, unheld); err != nil {
		return "", Token{}, err
	}
	// 2. Make the new secret work, with the token's own expiry.
	secret := auth.NewToken()
	hash := auth.Hash(secret)
	if err := m.putLookup(ctx, lookups, hash, r.principal(orgID), r.ValidUntil); err != nil {
		return "", Token{}, m.discard(ctx, lookups, hash, err)
	}
	// 3. Name it in the record, the held secret as prev, rotation pending.
	if err := m.beginRotation(ctx, org, orgID, r, hash, auth.Display(secret), held, graceEnd); err != nil {
		return "", Token{}, m.discard(ctx, lookups, hash, err)
	}
	// 4. Only now end the held secret: at the grace's end, or at once.
	if grace == 0 {
		err = m.deleteLookup(ctx, lookups, held)
	} else {
		err = m.endLookup(ctx, lookups, held, graceEnd, now)
	}
	if err != nil {
		return "", Token{}, err
	}
	// 5. Mark the rotation finished; the caller now holds the new secret.
	if err := m.finishRotation(ctx, org, orgID, tokID, hash); err != nil {
		return "", Token{}, err
	}
	r.Hash, r.Prefix, r.PrevHash, r.PrevValidUntil, r.Pending = hash, auth.Display(secret), held, graceEnd, false
	return secret, r.view(now), nil
}

// discard deletes a new secret's lookup after a later step failed (nobody
// has seen the secret) and returns the step's error.
func (m *Manager) discard(ctx context.Context, lookups LookupDB, hash string, err error) error {
	cctx, cancel := m.cleanup(ctx)
	defer cancel()
	return errors.Join(err, m.deleteLookup(cctx, lookups, hash))
}

// beginRotation points the record at the new secret, provided nobody
// rotated or revoked it since it was read.
func (m *Manager) beginRotation(ctx context.Context, org OrgDB, orgID string, r *record, hash, prefix, held string, graceEnd time.Time) error {
	ctx, cancel := m.call(ctx)
	defer cancel()
	_, err := org.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(m.cfg.Table),
		Key:       recordKey(orgID, r.ID),
		UpdateExpression: aws.String("SET #hash = :new, #prefix = :prefix, #prev = :held, #prevUntil = :graceEnd, " +
			"#pending = :true"),
		ConditionExpression: aws.String("#hash = :old AND attribute_not_exists(#revoked)"),
		ExpressionAttributeNames: map[string]string{
			"#hash": attrHash, "#prefix": attrPrefix, "#prev": attrPrevHash, "#prevUntil": attrPrevValidUntil,
			"#pending": attrPending, "#revoked": attrRevoked,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":new": s(hash), ":prefix": s(prefix), ":held": s(held), ":graceEnd": unix(graceEnd),
			":true": &types.AttributeValueMemberBOOL{Value: true}, ":old": s(r.Hash),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	return m.updateErr("start token rotation", err)
}

// finishRotation clears the pending marker, provided the record still
// names this rotation's secret and is not revoked.
func (m *Manager) finishRotation(ctx context.Context, org OrgDB, orgID, tokID, hash string) error {
	ctx, cancel := m.call(ctx)
	defer cancel()
	_, err := org.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(m.cfg.Table),
		Key:                                 recordKey(orgID, tokID),
		UpdateExpression:                    aws.String("REMOVE #pending"),
		ConditionExpression:                 aws.String("#hash = :new AND attribute_not_exists(#revoked)"),
		ExpressionAttributeNames:            map[string]string{"#pending": attrPending, "#hash": attrHash, "#revoked": attrRevoked},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":new": s(hash)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	return m.updateErr("finish token rotation", err)
}

// updateErr classifies a conditional record update's failure: the record
// vanished (NotFound), was revoked meanwhile (token_revoked) or was changed
// by a concurrent rotation (token_conflict).
func (m *Manager) updateErr(op string, err error) error {
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &ccf):
		return unavailable(op, err)
	case ccf.Item == nil:
		return errNotFound
	case ccf.Item[attrRevoked] != nil:
		return errRevoked
	}
	return errConflict
}
