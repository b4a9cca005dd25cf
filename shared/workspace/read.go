package workspace

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// ReadOrg returns org's settings as stored now (a consistent read, not
// the gateway's cached snapshot), for the management API.
func (s *Store) ReadOrg(ctx context.Context, db DB, org string) (Org, error) {
	it, err := s.readItem(ctx, db, OrgPK(org), skOrg, errOrgNotFound, "read org")
	if err != nil {
		return Org{}, err
	}
	return decodeOrg(it)
}

// ReadSettings returns workspace ws's settings as stored now, defaults
// filled in as Load shows them.
func (s *Store) ReadSettings(ctx context.Context, db DB, org, ws string) (Settings, error) {
	it, err := s.readItem(ctx, db, PK(org, ws), skSettings, errWorkspaceNotFound, "read settings")
	if err != nil {
		return Settings{}, err
	}
	return decodeSettings(it)
}

func (s *Store) readItem(ctx context.Context, db DB, pk, sk string, missing *apperr.Error, op string) (map[string]types.AttributeValue, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.cfg.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}})
	if err != nil {
		return nil, unavailable(op, err)
	}
	if out.Item == nil {
		return nil, missing
	}
	return out.Item, nil
}
