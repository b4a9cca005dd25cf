package token

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// Create makes a token and returns its secret, which is shown once and
// never stored: only its hash is. The org's record is written first and
// the lookup (which makes the secret work) second, so a working secret is
// always listed and revocable; if the lookup write fails the record is
// deleted again and the error returned, so a failed create leaves nothing.
func (m *Manager) Create(ctx context.Context, org OrgDB, lookups LookupDB, orgID string, sp Spec) (string, Token, error) {
	if !id.Valid(id.Org, orgID) {
		return "", Token{}, errOrg
	}
	sp, err := m.validate(sp)
	if err != nil {
		return "", Token{}, err
	}
	now := m.now()
	secret := auth.NewToken()
	r := &record{
		ID: id.New(id.Token), Name: sp.Name, Prefix: auth.Display(secret), Workspace: sp.Workspace,
		Member: sp.Member, Scopes: sp.Scopes, Created: now, ValidUntil: now.Add(sp.ExpiresIn),
		Hash: auth.Hash(secret), CapNano: sp.CapNano, RPM: sp.RPM, TPM: sp.TPM,
	}
	if err := m.putRecord(ctx, org, orgID, r); err != nil {
		return "", Token{}, err
	}
	err = m.putLookup(ctx, lookups, r.Hash, r.principal(orgID), r.ValidUntil)
	if err == nil {
		err = m.checkNotRevoked(ctx, org, orgID, r.ID)
	}
	if err != nil {
		// The lookup may have been written even though the call failed
		// (a lost response): delete it too, or it would be a working
		// secret no record names. Nobody has seen the secret, so this
		// only tidies up.
		cctx, cancel := m.cleanup(ctx)
		defer cancel()
		return "", Token{}, errors.Join(err,
			m.deleteLookup(cctx, lookups, r.Hash),
			m.deleteRecord(cctx, org, orgID, r.ID))
	}
	return secret, r.view(now), nil
}

// checkNotRevoked closes the one race the write order leaves open: a
// Revoke (of a token listed between our two writes) that ran before our
// lookup existed. Revoke deletes lookups again after marking the record,
// so either it removes ours or we see its mark here.
func (m *Manager) checkNotRevoked(ctx context.Context, org OrgDB, orgID, tokID string) error {
	r, err := m.load(ctx, org, orgID, tokID, true)
	switch {
	case err != nil:
		return err
	case !r.Revoked.IsZero():
		return errRevoked
	}
	return nil
}

func (m *Manager) putRecord(ctx context.Context, db OrgDB, org string, r *record) error {
	ctx, cancel := m.call(ctx)
	defer cancel()
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(m.cfg.Table),
		Item:                r.item(org),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err != nil {
		return unavailable("write token record", err)
	}
	return nil
}

func (m *Manager) deleteRecord(ctx context.Context, db OrgDB, org, tok string) error {
	ctx, cancel := m.call(ctx)
	defer cancel()
	_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(m.cfg.Table), Key: recordKey(org, tok)})
	if err != nil {
		return unavailable("delete token record", err)
	}
	return nil
}
