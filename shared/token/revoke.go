package token

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// revokeAttempts bounds how often Revoke re-reads a record that a
// concurrent rotation changed under it.
const revokeAttempts = 3

// Revoke stops every secret of a token and marks its record revoked. The
// lookups go first, so once Revoke returns (plus the authenticator's cache
// TTL) no secret works, even if marking the record failed; a retry finishes
// the job. Revoking a revoked token succeeds and changes nothing, so the
// call is safe to repeat.
func (m *Manager) Revoke(ctx context.Context, org OrgDB, lookups LookupDB, orgID, tokID string) (Token, error) {
	for range revokeAttempts {
		r, err := m.load(ctx, org, orgID, tokID, false)
		if err != nil {
			return Token{}, err
		}
		if err := m.deleteLookups(ctx, lookups, r); err != nil {
			return Token{}, err
		}
		if r.Revoked.IsZero() {
			r.Revoked = m.now()
			err := m.markRevoked(ctx, org, orgID, r)
			var ccf *types.ConditionalCheckFailedException
			if errors.As(err, &ccf) {
				continue // rotated or revoked meanwhile: start over from the record
			}
			if err != nil {
				return Token{}, unavailable("revoke token", err)
			}
		}
		// Again after marking: a Create that wrote its lookup after the
		// first delete sees the mark and removes its lookup, or wrote it
		// before now and has it removed here.
		if err := m.deleteLookups(ctx, lookups, r); err != nil {
			return Token{}, err
		}
		return r.view(m.now()), nil
	}
	return Token{}, errConflict
}

// deleteLookups stops the record's current and previous secrets.
func (m *Manager) deleteLookups(ctx context.Context, lookups LookupDB, r *record) error {
	if err := m.deleteLookup(ctx, lookups, r.Hash); err != nil {
		return err
	}
	return m.deleteLookup(ctx, lookups, r.PrevHash)
}

// markRevoked sets revoked_at, provided the record still names the
// secrets just deleted (no rotation slipped in) and is not yet revoked.
func (m *Manager) markRevoked(ctx context.Context, org OrgDB, orgID string, r *record) error {
	ctx, cancel := m.call(ctx)
	defer cancel()
	_, err := org.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(m.cfg.Table),
		Key:                       recordKey(orgID, r.ID),
		UpdateExpression:          aws.String("SET #revoked = :now"),
		ConditionExpression:       aws.String("#hash = :hash AND attribute_not_exists(#revoked)"),
		ExpressionAttributeNames:  map[string]string{"#revoked": attrRevoked, "#hash": attrHash},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": rfc3339(r.Revoked), ":hash": s(r.Hash)},
	})
	return err
}
