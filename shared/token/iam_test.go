package token_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// The two clients really are confined to their families, which is why
// the package cannot use one transaction and orders its writes instead.
func TestEachClientReachesOnlyItsFamily(t *testing.T) {
	e := newEnv(t)
	orgItem := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "ORG#" + e.org},
		"sk": &types.AttributeValueMemberS{Value: "TOKEN#" + id.New(id.Token)},
	}
	_, err := lookups.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.TableName), Item: orgItem})
	if !accessDenied(err) {
		t.Fatalf("the API function's own role wrote an org item: %v", err)
	}
	lookup := auth.LookupItem(auth.Hash(auth.NewToken()), auth.Principal{
		Org: e.org, Workspace: id.New(id.Workspace), TokenID: id.New(id.Token), Scopes: auth.AllScopes,
	}, e.clock.Now().Add(time.Hour))
	_, err = e.db.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.TableName), Item: lookup})
	if !accessDenied(err) {
		t.Fatalf("the org-scoped client wrote a token lookup: %v", err)
	}
}

func accessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
}
