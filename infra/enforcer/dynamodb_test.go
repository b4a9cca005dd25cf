package enforcer

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type av = map[string]types.AttributeValue

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func key(pk, sk string) av { return av{"pk": s(pk), "sk": s(sk)} }

// dynCase is one DynamoDB request of a tenant session tagged org_a.
type dynCase struct {
	name string
	call func(context.Context, *dynamodb.Client) error
	// want is the error code under template.yaml ("" = allowed).
	want string
	// conditional marks refusals that come only from the tenant policy's
	// LeadingKeys condition: they pass when the condition is removed.
	conditional bool
}

// tenantCases covers every DynamoDB action the enforcer maps, as org_a.
func tenantCases() []dynCase {
	const denied = "AccessDeniedException"
	tbl := aws.String(tableName)
	str := aws.String
	return []dynCase{
		{"GetItem own", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: key("ORG#org_a", "PROFILE")})
			return err
		}, "", false},
		{"GetItem own prefixed", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: key("ORG#org_a#KEY#k1", "V1")})
			return err
		}, "", false},
		{"GetItem by table ARN", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: str(tableARN), Key: key("ORG#org_a", "PROFILE")})
			return err
		}, "", false},
		{"GetItem other org", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: key("ORG#org_b", "PROFILE")})
			return err
		}, denied, true},
		{"GetItem org whose ID extends ours", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: key("ORG#org_ab", "PROFILE")})
			return err
		}, denied, true},
		{"GetItem org whose ID extends ours, prefixed", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: key("ORG#org_ab#KEY#k1", "V1")})
			return err
		}, denied, true},
		{"GetItem global token item", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: key("TOKEN#abc", "TOKEN")})
			return err
		}, denied, true},
		{"PutItem own", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: av{"pk": s("ORG#org_a#TRACE#1"), "sk": s("T"), "v": s("x")}})
			return err
		}, "", false},
		{"PutItem other org", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tbl, Item: av{"pk": s("ORG#org_b"), "sk": s("T")}})
			return err
		}, denied, true},
		{"UpdateItem own", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: key("ORG#org_a", "BUDGET"),
				UpdateExpression: str("SET #s = :s"), ExpressionAttributeNames: map[string]string{"#s": "spent"},
				ExpressionAttributeValues: av{":s": &types.AttributeValueMemberN{Value: "5"}}, ReturnValues: types.ReturnValueAllNew})
			return err
		}, "", false},
		{"UpdateItem other org", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tbl, Key: key("ORG#org_b", "BUDGET"), UpdateExpression: str("SET a = :a"),
				ExpressionAttributeValues: av{":a": s("1")}})
			return err
		}, denied, true},
		{"DeleteItem own", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tbl, Key: key("ORG#org_a#KEY#k1", "V1")})
			return err
		}, "", false},
		{"DeleteItem other org", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tbl, Key: key("ORG#org_b#KEY#k1", "V1")})
			return err
		}, denied, true},
		{"Query own with names and begins_with", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl,
				KeyConditionExpression:    str("(#pk = :pk) AND begins_with(#sk, :p)"),
				ExpressionAttributeNames:  map[string]string{"#pk": "pk", "#sk": "sk"},
				ExpressionAttributeValues: av{":pk": s("ORG#org_a"), ":p": s("KEY#")}})
			return err
		}, "", false},
		{"Query own, bare name, operands reversed", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl,
				KeyConditionExpression:    str(":v=pk and sk BETWEEN :a AND :b"),
				ExpressionAttributeValues: av{":v": s("ORG#org_a#TRACE"), ":a": s("1"), ":b": s("2")}})
			return err
		}, "", false},
		{"Query other org", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: str("pk = :pk"),
				ExpressionAttributeValues: av{":pk": s("ORG#org_b")}})
			return err
		}, denied, true},
		{"Query own index", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: str("gsi1"),
				KeyConditionExpression: str("gsi1pk = :g"), ExpressionAttributeValues: av{":g": s("ORG#org_a#DAY#2024-01-01")}})
			return err
		}, "", false},
		{"Query index of other org", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: str("gsi1"),
				KeyConditionExpression: str("gsi1pk = :g"), ExpressionAttributeValues: av{":g": s("ORG#org_b#DAY#2024-01-01")}})
			return err
		}, denied, true},
		{"Query index naming the table's key instead of the index's", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: str("gsi1"),
				KeyConditionExpression: str("pk = :g"), ExpressionAttributeValues: av{":g": s("ORG#org_a")}})
			return err
		}, denied, false},
		{"Query legacy KeyConditions own", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditions: map[string]types.Condition{
				"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("ORG#org_a")}}}})
			return err
		}, "", false},
		{"Query legacy KeyConditions other org", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditions: map[string]types.Condition{
				"pk": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("ORG#org_b")}}}})
			return err
		}, denied, true},
		{"Query whose partition key is not an equality", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, KeyConditionExpression: str("begins_with(pk, :p)"),
				ExpressionAttributeValues: av{":p": s("ORG#")}})
			return err
		}, denied, false},
		{"Query of an undeclared index", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tbl, IndexName: str("gsi9"),
				KeyConditionExpression: str("x = :x"), ExpressionAttributeValues: av{":x": s("ORG#org_a")}})
			return err
		}, denied, false},
		{"Scan", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: tbl})
			return err
		}, denied, false},
		{"Scan index", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: tbl, IndexName: str("gsi1")})
			return err
		}, denied, false},
		{"BatchGetItem own", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				tableName: {Keys: []av{key("ORG#org_a", "PROFILE"), key("ORG#org_a#KEY#k1", "V1")}}}})
			return err
		}, "", false},
		{"BatchGetItem with one foreign key", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				tableName: {Keys: []av{key("ORG#org_a", "PROFILE"), key("ORG#org_b", "PROFILE")}}}})
			return err
		}, denied, true},
		{"BatchWriteItem own put and delete", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tableName: {
				{PutRequest: &types.PutRequest{Item: av{"pk": s("ORG#org_a#T#1"), "sk": s("1")}}},
				{DeleteRequest: &types.DeleteRequest{Key: key("ORG#org_a#T#2", "2")}},
			}}})
			return err
		}, "", false},
		{"BatchWriteItem with a foreign delete", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tableName: {
				{PutRequest: &types.PutRequest{Item: av{"pk": s("ORG#org_a#T#1"), "sk": s("1")}}},
				{DeleteRequest: &types.DeleteRequest{Key: key("ORG#org_b#T#2", "2")}},
			}}})
			return err
		}, denied, true},
		{"TransactGetItems own", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
				{Get: &types.Get{TableName: tbl, Key: key("ORG#org_a", "PROFILE")}},
				{Get: &types.Get{TableName: tbl, Key: key("ORG#org_a#KEY#k1", "V1")}}}})
			return err
		}, "", false},
		{"TransactGetItems with a foreign item", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
				{Get: &types.Get{TableName: tbl, Key: key("ORG#org_a", "PROFILE")}},
				{Get: &types.Get{TableName: tbl, Key: key("ORG#org_b", "PROFILE")}}}})
			return err
		}, denied, true},
		{"TransactWriteItems own, every kind", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: tbl, Item: av{"pk": s("ORG#org_a#R#1"), "sk": s("1")}}},
				{Update: &types.Update{TableName: tbl, Key: key("ORG#org_a", "BUDGET"), UpdateExpression: str("SET a = :a"), ExpressionAttributeValues: av{":a": s("1")}}},
				{Delete: &types.Delete{TableName: tbl, Key: key("ORG#org_a#R#0", "0")}},
				{ConditionCheck: &types.ConditionCheck{TableName: tbl, Key: key("ORG#org_a", "PROFILE"), ConditionExpression: str("attribute_exists(pk)")}},
			}})
			return err
		}, "", false},
		{"TransactWriteItems with a foreign condition check", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: tbl, Item: av{"pk": s("ORG#org_a#R#1"), "sk": s("1")}}},
				{ConditionCheck: &types.ConditionCheck{TableName: tbl, Key: key("ORG#org_b", "PROFILE"), ConditionExpression: str("attribute_exists(pk)")}},
			}})
			return err
		}, denied, true},
		{"TransactWriteItems with a foreign put", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: tbl, Item: av{"pk": s("ORG#org_b#R#1"), "sk": s("1")}}},
			}})
			return err
		}, denied, true},
		{"ExecuteStatement", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{Statement: str(`SELECT * FROM "` + tableName + `" WHERE pk = ?`),
				Parameters: []types.AttributeValue{s("ORG#org_a")}})
			return err
		}, denied, false},
		{"BatchExecuteStatement", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.BatchExecuteStatement(ctx, &dynamodb.BatchExecuteStatementInput{Statements: []types.BatchStatementRequest{
				{Statement: str(`INSERT INTO "` + tableName + `" VALUE {'pk': ?, 'sk': ?}`), Parameters: []types.AttributeValue{s("ORG#org_a"), s("x")}}}})
			return err
		}, denied, false},
		{"ExecuteTransaction", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.ExecuteTransaction(ctx, &dynamodb.ExecuteTransactionInput{TransactStatements: []types.ParameterizedStatement{
				{Statement: str(`DELETE FROM "` + tableName + `" WHERE pk = ? AND sk = ?`), Parameters: []types.AttributeValue{s("ORG#org_a"), s("x")}}}})
			return err
		}, denied, false},
		{"DescribeTable", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: tbl})
			return err
		}, denied, false},
		{"ListTables", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		}, denied, false},
		{"GetItem on a table the template does not declare", func(ctx context.Context, db *dynamodb.Client) error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("other"), Key: key("ORG#org_a", "PROFILE")})
			return err
		}, denied, false},
	}
}

func runTenantCases(t *testing.T, h *harness, db *dynamodb.Client, want func(dynCase) string) {
	for _, tc := range tenantCases() {
		t.Run(tc.name, func(t *testing.T) {
			before := h.ddb.count()
			err := tc.call(context.Background(), db)
			wantCode := want(tc)
			if got := errCode(t, err); got != wantCode {
				t.Fatalf("error code %q (%v), want %q", got, err, wantCode)
			}
			forwarded := h.ddb.count() - before
			if wantCode == "" && forwarded < 1 {
				t.Fatalf("allowed request was not forwarded")
			}
			if wantCode != "" && forwarded != 0 {
				t.Fatalf("denied request reached DynamoDB")
			}
			if wantCode == "AccessDeniedException" && !strings.HasPrefix(errMessage(err), "User: arn:aws:sts::123456789012:assumed-role/tollgate-tenant/t-org_a is not authorized to perform: dynamodb:") {
				t.Fatalf("message = %q", errMessage(err))
			}
		})
	}
}

func TestDynamoDBTenantIsolation(t *testing.T) {
	h := newHarness(t, projectTmpl)
	db := h.dynamo(h.tenant("org_a"))
	runTenantCases(t, h, db, func(tc dynCase) string { return tc.want })
}

// TestRefusalsComeFromThePolicy runs the same requests against a copy of the
// template without the LeadingKeys condition: every refusal marked
// conditional now passes, the others still fail.
func TestRefusalsComeFromThePolicy(t *testing.T) {
	h := newHarness(t, "testdata/template_unconditioned.yaml")
	db := h.dynamo(h.tenant("org_a"))
	runTenantCases(t, h, db, func(tc dynCase) string {
		if tc.conditional {
			return ""
		}
		return tc.want
	})
}

func TestDynamoDBOperatorAndGateway(t *testing.T) {
	h := newHarness(t, projectTmpl)
	ctx := context.Background()
	op := h.dynamo(h.operator())
	if _, err := op.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tableName)}); err != nil {
		t.Fatalf("operator scan: %v", err)
	}
	if _, err := op.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("scratch")}); err != nil {
		t.Fatalf("operator create table: %v", err)
	}

	gw := h.dynamo(h.gateway())
	tests := []struct {
		name string
		key  av
		want string
	}{
		{"gateway reads a token lookup item", key("TOKEN#0123abcd", "TOKEN"), ""},
		{"gateway cannot read tenant items", key("ORG#org_a", "PROFILE"), "AccessDeniedException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gw.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: tc.key})
			if got := errCode(t, err); got != tc.want {
				t.Fatalf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	if _, err := gw.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: key("TOKEN#x", "TOKEN")}); errCode(t, err) != "AccessDeniedException" {
		t.Fatalf("gateway put: %v", err)
	}
}

// TestTenantWithoutTag: a TenantRole session with no org tag (only the
// operator can make one; the trust policy demands the tag) reaches nothing.
func TestTenantWithoutTag(t *testing.T) {
	h := newHarness(t, projectTmpl)
	creds, err := h.assume(h.operator(), tenantARN, "untagged", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := h.dynamo(h.cfg(creds))
	_, err = db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: key("ORG#", "x")})
	if errCode(t, err) != "AccessDeniedException" {
		t.Fatalf("untagged session read: %v", err)
	}
}

// TestDeniedWireShape checks the refusal byte for byte against DynamoDB's.
func TestDeniedWireShape(t *testing.T) {
	h := newHarness(t, projectTmpl)
	creds, _ := h.tenant("org_a").Credentials.Retrieve(context.Background())
	tests := []struct {
		name, target, body, wantMsg string
	}{
		{"implicit deny", "DynamoDB_20120810.GetItem", `{"TableName":"` + tableName + `","Key":{"pk":{"S":"ORG#org_b"},"sk":{"S":"x"}}}`,
			"User: arn:aws:sts::123456789012:assumed-role/tollgate-tenant/t-org_a is not authorized to perform: dynamodb:GetItem on resource: " + tableARN +
				" because no identity-based policy allows the dynamodb:GetItem action"},
		{"explicit deny", "DynamoDB_20120810.Scan", `{"TableName":"` + tableName + `"}`,
			"User: arn:aws:sts::123456789012:assumed-role/tollgate-tenant/t-org_a is not authorized to perform: dynamodb:Scan on resource: " + tableARN +
				" with an explicit deny in an identity-based policy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := h.signedRequest(creds, "dynamodb", "POST", "/", jsonHeader(tc.target, "1.0"), []byte(tc.body), nil)
			if resp.status != 400 || resp.header.Get("Content-Type") != "application/x-amz-json-1.0" {
				t.Fatalf("status %d, content type %q", resp.status, resp.header.Get("Content-Type"))
			}
			var got map[string]string
			if err := json.Unmarshal(resp.body, &got); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"__type": "com.amazon.coral.service#AccessDeniedException", "Message": tc.wantMsg}
			if len(got) != 2 || got["__type"] != want["__type"] || got["Message"] != want["Message"] {
				t.Fatalf("body = %s\nwant   %v", resp.body, want)
			}
			if resp.header.Get("X-Amzn-Requestid") == "" {
				t.Fatal("no request ID")
			}
		})
	}
}

// TestForwardedUnchanged: an allowed request reaches DynamoDB byte for byte,
// signature and Host included.
func TestForwardedUnchanged(t *testing.T) {
	h := newHarness(t, projectTmpl)
	creds, _ := h.tenant("org_a").Credentials.Retrieve(context.Background())
	body := []byte(`{"TableName":"` + tableName + `","Key":{"pk":{"S":"ORG#org_a"},"sk":{"S":"PROFILE"}},"ConsistentRead":true}`)
	var sentAuth string
	resp := h.signedRequest(creds, "dynamodb", "POST", "/", jsonHeader("DynamoDB_20120810.GetItem", "1.0"), body, func(r *http.Request) {
		sentAuth = r.Header.Get("Authorization")
	})
	if resp.status != 200 {
		t.Fatalf("status %d: %s", resp.status, resp.body)
	}
	got := h.ddb.last()
	if string(got.body) != string(body) {
		t.Fatalf("forwarded body %s", got.body)
	}
	if got.header.Get("Authorization") != sentAuth || got.header.Get("X-Amz-Security-Token") != creds.SessionToken ||
		got.header.Get("X-Amz-Target") != "DynamoDB_20120810.GetItem" {
		t.Fatalf("forwarded headers changed: %v", got.header)
	}
	if got.host != strings.TrimPrefix(h.srv.URL, "http://") {
		t.Fatalf("forwarded host %q", got.host)
	}
}
