package shadow

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Delete removes the sample with reference ref of (ws, alias): an
// evaluation calls it once the sample is scored, so customer text is held
// no longer than needed. It is idempotent (a sample already gone is no
// error), so a redelivered evaluation chunk deletes again harmlessly. A ref
// List or Put could not have made is Invalid.
func (s *Store) Delete(ctx context.Context, db DB, org, ws, alias, ref string) error {
	if err := checkScope(org, ws, alias); err != nil {
		return err
	}
	_, sampleID, ok := parseRef(ref)
	if !ok {
		return invalidRef()
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table),
		Key: key(samplePK(org, ws, alias), ref)}); err != nil {
		return unavailable("delete shadow sample "+sampleID, err)
	}
	return nil
}
