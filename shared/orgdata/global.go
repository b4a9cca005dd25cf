package orgdata

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/auth"
)

// deleteLookups deletes the global lookups of hashes not yet in gone, so
// those secrets stop authenticating. A lookup that names another org is
// left alone (it cannot be this org's, whatever a record claims).
func deleteLookups(ctx context.Context, g GlobalDB, table, org string, hashes map[string]bool, gone map[string]bool, counts Counts) error {
	for _, h := range slices.Sorted(maps.Keys(hashes)) {
		if gone[h] {
			continue
		}
		out, err := g.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:                 aws.String(table),
			Key:                       item{"pk": s(auth.LookupPK(h)), "sk": s(auth.LookupSK)},
			ConditionExpression:       aws.String("attribute_not_exists(pk) OR #o = :org"),
			ExpressionAttributeNames:  map[string]string{"#o": "org"},
			ExpressionAttributeValues: item{":org": s(org)},
			ReturnValues:              types.ReturnValueAllOld,
		})
		var ccf *types.ConditionalCheckFailedException
		switch {
		case errors.As(err, &ccf):
		case err != nil:
			return unavailable("delete token lookup", err)
		case len(out.Attributes) > 0:
			counts[FamilyTokenLookup]++
		}
		gone[h] = true
	}
	return nil
}

// deleteRegistry removes the org from the registry scheduled jobs walk.
func deleteRegistry(ctx context.Context, g GlobalDB, table, org string, counts Counts) error {
	out, err := g.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:    aws.String(table),
		Key:          item{"pk": s("REGISTRY"), "sk": s(orgPK(org))},
		ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return unavailable("delete registry entry", err)
	}
	if len(out.Attributes) > 0 {
		counts[FamilyRegistry]++
	}
	return nil
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
