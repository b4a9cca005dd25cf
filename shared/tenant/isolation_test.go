package tenant_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/tollgate-dev/tollgate/shared/id"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": s(pk), "sk": s(sk)}
}

// crossOrgOps are the operations org B's scoped client attempts on org A's
// items. Each must be refused by the enforcing endpoint, and each must
// succeed when the same request bypasses it — so every denial is proved to
// come from TenantRole's policy and not from the request being malformed.
func crossOrgOps(table, orgA, orgB string) []struct {
	name string
	op   func(context.Context, *dynamodb.Client) error
} {
	aPK, aSub, bPK := "ORG#"+orgA, "ORG#"+orgA+"#WS#x", "ORG#"+orgB
	return []struct {
		name string
		op   func(context.Context, *dynamodb.Client) error
	}{
		{"GetItem", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key(aPK, "SECRET")})
			return err
		}},
		{"GetItem on a sub-partition", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key(aSub, "ITEM")})
			return err
		}},
		{"Query table", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: &table,
				KeyConditionExpression:    aws.String("pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(aPK)}})
			return err
		}},
		{"Query table with attribute names", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: &table,
				KeyConditionExpression:    aws.String("#k = :p AND begins_with(#s, :x)"),
				ExpressionAttributeNames:  map[string]string{"#k": "pk", "#s": "sk"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(aPK), ":x": s("S")}})
			return err
		}},
		{"Query gsi1", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: &table, IndexName: aws.String("gsi1"),
				KeyConditionExpression:    aws.String("gsi1pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(aPK)}})
			return err
		}},
		{"PutItem", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key(aPK, "PLANTED")})
			return err
		}},
		{"UpdateItem", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: key(aPK, "SECRET"),
				UpdateExpression:          aws.String("SET v = :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("overwritten")}})
			return err
		}},
		{"DeleteItem", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: key(aPK, "SECRET")})
			return err
		}},
		{"BatchGetItem mixing own and foreign keys", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				table: {Keys: []map[string]types.AttributeValue{key(bPK, "MINE"), key(aPK, "SECRET")}}}})
			return err
		}},
		{"BatchWriteItem put", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				table: {{PutRequest: &types.PutRequest{Item: key(bPK, "MINE")}}, {PutRequest: &types.PutRequest{Item: key(aPK, "PLANTED")}}}}})
			return err
		}},
		{"BatchWriteItem delete", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				table: {{DeleteRequest: &types.DeleteRequest{Key: key(aPK, "SECRET")}}}}})
			return err
		}},
		{"TransactGetItems", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
				{Get: &types.Get{TableName: &table, Key: key(bPK, "MINE")}},
				{Get: &types.Get{TableName: &table, Key: key(aPK, "SECRET")}}}})
			return err
		}},
		{"TransactWriteItems put", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: &table, Item: key(bPK, "MINE2")}},
				{Put: &types.Put{TableName: &table, Item: key(aPK, "PLANTED2")}}}})
			return err
		}},
		{"TransactWriteItems condition check", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: &table, Item: key(bPK, "MINE3")}},
				{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key(aPK, "SECRET"),
					ConditionExpression: aws.String("attribute_not_exists(never_set)")}}}})
			return err
		}},
		{"TransactWriteItems update and delete", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Update: &types.Update{TableName: &table, Key: key(aPK, "SECRET"), UpdateExpression: aws.String("SET v = :v"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("x")}}},
				{Delete: &types.Delete{TableName: &table, Key: key(aPK, "OTHER")}}}})
			return err
		}},
		{"Scan", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: &table})
			return err
		}},
		{"PartiQL select", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{
				Statement: aws.String(`SELECT * FROM "` + table + `" WHERE pk = ?`), Parameters: []types.AttributeValue{s(aPK)}})
			return err
		}},
		{"PartiQL on own partition", func(ctx context.Context, c *dynamodb.Client) error {
			_, err := c.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{
				Statement: aws.String(`SELECT * FROM "` + table + `" WHERE pk = ?`), Parameters: []types.AttributeValue{s(bPK)}})
			return err
		}},
	}
}

func isAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
}

// seedOrgA writes org A's items with A's own scoped client (which also
// proves A's own operations succeed).
func seedOrgA(t *testing.T, ctx context.Context, c *dynamodb.Client, table, orgA string) {
	t.Helper()
	items := []map[string]types.AttributeValue{
		{"pk": s("ORG#" + orgA), "sk": s("SECRET"), "v": s("a-private"), "gsi1pk": s("ORG#" + orgA), "gsi1sk": s("X")},
		{"pk": s("ORG#" + orgA), "sk": s("OTHER"), "v": s("a-private")},
		{"pk": s("ORG#" + orgA + "#WS#x"), "sk": s("ITEM"), "v": s("a-private")},
	}
	for _, it := range items {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: it}); err != nil {
			t.Fatalf("org A writing its own item: %v", err)
		}
	}
}

func TestIsolationAcrossOrgs(t *testing.T) {
	ctx := context.Background()
	sessions := gatewaySessions(t)
	orgA, orgB := id.New(id.Org), id.New(id.Org)
	a, err := sessions.For(ctx, orgA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sessions.For(ctx, orgB)
	if err != nil {
		t.Fatal(err)
	}
	table := stack.TableName
	seedOrgA(t, ctx, a.DynamoDB, table, orgA)

	for _, c := range crossOrgOps(table, orgA, orgB) {
		t.Run("denied/"+c.name, func(t *testing.T) {
			err := c.op(ctx, b.DynamoDB)
			if !isAccessDenied(err) {
				t.Fatalf("org B's %s on org A's keys: got %v, want AccessDeniedException", c.name, err)
			}
			if err != nil && !strings.Contains(err.Error(), "is not authorized to perform") {
				t.Fatalf("denial does not have AWS's message shape: %v", err)
			}
		})
	}

	// Nothing org B tried reached org A's data.
	planted, err := a.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("ORG#"+orgA, "PLANTED"), ConsistentRead: aws.Bool(true)})
	if err != nil || planted.Item != nil {
		t.Fatalf("org B planted an item in org A's partition (err=%v)", err)
	}
	secret, err := a.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("ORG#"+orgA, "SECRET"), ConsistentRead: aws.Bool(true)})
	if err != nil || secret.Item == nil || secret.Item["v"].(*types.AttributeValueMemberS).Value != "a-private" {
		t.Fatalf("org A's item was changed or deleted by org B (err=%v, item=%v)", err, secret.Item)
	}

	// Org A's own operations succeed on every access path.
	for _, c := range crossOrgOps(table, orgA, orgA) {
		if c.name == "Scan" || strings.HasPrefix(c.name, "PartiQL") {
			continue // denied for everyone
		}
		t.Run("own/"+c.name, func(t *testing.T) {
			if err := c.op(ctx, a.DynamoDB); err != nil {
				t.Fatalf("org A's own %s refused: %v", c.name, err)
			}
		})
	}
}

// TestDenialsComeFromThePolicy runs the same cross-org requests straight at
// DynamoDB Local, bypassing the enforcing endpoint: every one goes through.
// If this test ever fails, the isolation suite above proves nothing.
func TestDenialsComeFromThePolicy(t *testing.T) {
	ctx := context.Background()
	sessions := gatewaySessions(t)
	orgA, orgB := id.New(id.Org), id.New(id.Org)
	a, err := sessions.For(ctx, orgA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sessions.For(ctx, orgB)
	if err != nil {
		t.Fatal(err)
	}
	seedOrgA(t, ctx, a.DynamoDB, stack.TableName, orgA)
	creds, err := b.DynamoDB.Options().Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	direct := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig(), func(o *dynamodb.Options) {
		o.Credentials = credentials.StaticCredentialsProvider{Value: creds}
	})
	for _, c := range crossOrgOps(stack.TableName, orgA, orgB) {
		if err := c.op(ctx, direct); err != nil {
			t.Errorf("without enforcement %s should succeed, got %v", c.name, err)
		}
	}
}

func TestFunctionRoleReachesNoTenantItem(t *testing.T) {
	ctx := context.Background()
	fn, err := stack.RoleConfig(ctx, "GatewayFunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	c := dynamodb.NewFromConfig(fn)
	table := stack.TableName
	org := id.New(id.Org)
	cases := []struct {
		name    string
		op      func() error
		allowed bool
	}{
		{"token lookup", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("TOKEN#abc", "TOKEN")})
			return err
		}, true},
		{"tenant item", func() error {
			_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("ORG#"+org, "SECRET")})
			return err
		}, false},
		{"write a token", func() error {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: key("TOKEN#forged", "TOKEN")})
			return err
		}, false},
		{"query tenant partition", func() error {
			_, err := c.Query(ctx, &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("pk = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("ORG#" + org)}})
			return err
		}, false},
		{"scan", func() error {
			_, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: &table})
			return err
		}, false},
	}
	for _, tc := range cases {
		err := tc.op()
		if tc.allowed && err != nil {
			t.Errorf("%s: refused: %v", tc.name, err)
		}
		if !tc.allowed && !isAccessDenied(err) {
			t.Errorf("%s: got %v, want AccessDeniedException", tc.name, err)
		}
	}
}

func TestKMSContextBoundToOrg(t *testing.T) {
	ctx := context.Background()
	sessions := gatewaySessions(t)
	orgA, orgB := id.New(id.Org), id.New(id.Org)
	b, err := sessions.For(ctx, orgB)
	if err != nil {
		t.Fatal(err)
	}
	gen := func(org string) error {
		_, err := b.KMS.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
			KeyId: aws.String(stack.KeyARN), KeySpec: "AES_256",
			EncryptionContext: map[string]string{"org": org, "purpose": "secrets"}})
		return err
	}
	if err := gen(orgB); err != nil {
		t.Fatalf("own-org data key refused: %v", err)
	}
	err = gen(orgA)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("data key under another org's context: got %v, want AccessDeniedException", err)
	}
}
