package enforcer

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestQueryLeadingKeys(t *testing.T) {
	vals := func(kv ...string) map[string]json.RawMessage {
		m := map[string]json.RawMessage{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = json.RawMessage(kv[i+1])
		}
		return m
	}
	tests := []struct {
		name string
		q    ddbRequest
		want string
	}{
		{"placeholder name", ddbRequest{KeyConditionExpression: "#p = :v", ExpressionAttributeNames: map[string]string{"#p": "pk"},
			ExpressionAttributeValues: vals(":v", `{"S":"ORG#a"}`)}, "ORG#a"},
		{"bare name, no spaces", ddbRequest{KeyConditionExpression: "pk=:v", ExpressionAttributeValues: vals(":v", `{"S":"ORG#a"}`)}, "ORG#a"},
		{"reversed", ddbRequest{KeyConditionExpression: ":v = pk", ExpressionAttributeValues: vals(":v", `{"S":"ORG#a"}`)}, "ORG#a"},
		{"parenthesised with sort condition", ddbRequest{KeyConditionExpression: "(pk = :v) AND (sk >= :s)",
			ExpressionAttributeValues: vals(":v", `{"S":"ORG#a"}`, ":s", `{"S":"x"}`)}, "ORG#a"},
		{"sort key equality is not the partition key", ddbRequest{KeyConditionExpression: "sk = :s AND pk = :v",
			ExpressionAttributeValues: vals(":v", `{"S":"ORG#a"}`, ":s", `{"S":"ORG#b"}`)}, "ORG#a"},
		{"<= is not =", ddbRequest{KeyConditionExpression: "pk <= :v", ExpressionAttributeValues: vals(":v", `{"S":"ORG#a"}`)}, ""},
		{"begins_with is not =", ddbRequest{KeyConditionExpression: "begins_with(pk, :v)", ExpressionAttributeValues: vals(":v", `{"S":"ORG#"}`)}, ""},
		{"unknown name placeholder", ddbRequest{KeyConditionExpression: "#x = :v", ExpressionAttributeValues: vals(":v", `{"S":"ORG#a"}`)}, ""},
		{"unknown value placeholder", ddbRequest{KeyConditionExpression: "pk = :nope"}, ""},
		{"number key", ddbRequest{KeyConditionExpression: "pk = :v", ExpressionAttributeValues: vals(":v", `{"N":"42"}`)}, "42"},
		{"two equalities are both reported", ddbRequest{KeyConditionExpression: "pk = :a AND pk = :b",
			ExpressionAttributeValues: vals(":a", `{"S":"ORG#a"}`, ":b", `{"S":"ORG#b"}`)}, "ORG#a,ORG#b"},
		{"legacy EQ", ddbRequest{KeyConditions: map[string]ddbKeyCondition{"pk": {ComparisonOperator: "EQ",
			AttributeValueList: []json.RawMessage{json.RawMessage(`{"S":"ORG#a"}`)}}}}, "ORG#a"},
		{"legacy BEGINS_WITH", ddbRequest{KeyConditions: map[string]ddbKeyCondition{"pk": {ComparisonOperator: "BEGINS_WITH",
			AttributeValueList: []json.RawMessage{json.RawMessage(`{"S":"ORG#"}`)}}}}, ""},
		{"a map value is not a key", ddbRequest{KeyConditionExpression: "pk = :v", ExpressionAttributeValues: vals(":v", `{"M":{}}`)}, ""},
		{"nothing", ddbRequest{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(queryLeadingKeys(tc.q, "pk"), ","); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPartiQLTarget(t *testing.T) {
	tests := []struct {
		stmt, verb, table, index string
		ok                       bool
	}{
		{`SELECT * FROM "t1" WHERE pk = ?`, "Select", "t1", "", true},
		{`select a, b from "t.1"."gsi1" where x = 'FROM'`, "Select", "t.1", "gsi1", true},
		{`SELECT * FROM t1.gsi1`, "Select", "t1", "gsi1", true},
		{`SELECT "from" FROM "t1"`, "Select", "t1", "", true},
		{`INSERT INTO "t1" VALUE {'pk': ?}`, "Insert", "t1", "", true},
		{`UPDATE "t1" SET a = 1 WHERE pk = ?`, "Update", "t1", "", true},
		{`  DELETE FROM t1 WHERE pk = ?`, "Delete", "t1", "", true},
		{`EXISTS(SELECT * FROM "t1" WHERE pk = ?)`, "Select", "t1", "", true},
		{`INSERT "t1" VALUE {}`, "", "", "", false},
		{`DELETE t1`, "", "", "", false},
		{`SELECT 1`, "", "", "", false},
		{`DROP TABLE t1`, "", "", "", false},
		{`SELECT * FROM "unterminated`, "", "", "", false},
		{``, "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.stmt, func(t *testing.T) {
			verb, table, index, ok := partiqlTarget(tc.stmt)
			if verb != tc.verb || table != tc.table || index != tc.index || ok != tc.ok {
				t.Fatalf("got %q %q %q %v", verb, table, index, ok)
			}
		})
	}
}

func TestDynamoChecks(t *testing.T) {
	h := newHarness(t, projectTmpl)
	m := h.enf.model.Load()
	tests := []struct {
		name, op, body string
		wantErr        string
		wantActions    string
		wantKeys       string // leading keys of the first check
	}{
		{"malformed JSON", "GetItem", `{`, "SerializationException", "", ""},
		{"unknown operation", "FrobnicateItem", `{}`, "UnknownOperationException", "", ""},
		{"empty batch", "BatchGetItem", `{"RequestItems":{}}`, "", "", ""},
		{"transaction element with two kinds", "TransactWriteItems", `{"TransactItems":[{"Put":{},"Delete":{}}]}`, "ValidationException", "", ""},
		{"get inside a write transaction", "TransactWriteItems", `{"TransactItems":[{"Get":{}}]}`, "ValidationException", "", ""},
		{"batch write over two tables", "BatchWriteItem",
			`{"RequestItems":{"` + tableName + `":[{"PutRequest":{"Item":{"pk":{"S":"ORG#a"}}}}],"zother":[{"DeleteRequest":{"Key":{"pk":{"S":"x"}}}}]}}`,
			"", "dynamodb:BatchWriteItem,dynamodb:BatchWriteItem", "ORG#a"},
		{"select and return values become condition keys", "Query",
			`{"TableName":"` + tableName + `","KeyConditionExpression":"pk=:p","ExpressionAttributeValues":{":p":{"S":"ORG#a"}},"Select":"COUNT"}`,
			"", "dynamodb:Query", "ORG#a"},
		{"missing partition key leaves the key absent", "PutItem", `{"TableName":"` + tableName + `","Item":{"sk":{"S":"x"}}}`,
			"", "dynamodb:PutItem", ""},
		{"partiql without leading keys", "ExecuteStatement", `{"Statement":"SELECT * FROM \"` + tableName + `\""}`,
			"", "dynamodb:PartiQLSelect", ""},
		{"control plane by ARN", "ListTagsOfResource", `{"ResourceArn":"` + tableARN + `"}`, "", "dynamodb:ListTagsOfResource", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checks, err := dynamoChecks(m, tc.op, []byte(tc.body))
			if tc.wantErr != "" {
				if err == nil || err.jsonCode != tc.wantErr {
					t.Fatalf("err = %+v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %+v", err)
			}
			var actions []string
			for _, c := range checks {
				actions = append(actions, c.action)
			}
			if got := strings.Join(actions, ","); got != tc.wantActions {
				t.Fatalf("actions %q, want %q", got, tc.wantActions)
			}
			if len(checks) > 0 {
				if got := strings.Join(checks[0].context[leadingKeys], ","); got != tc.wantKeys {
					t.Fatalf("leading keys %q, want %q", got, tc.wantKeys)
				}
			}
		})
	}
	checks, _ := dynamoChecks(m, "Query", []byte(`{"TableName":"`+tableName+`","KeyConditionExpression":"pk=:p","ExpressionAttributeValues":{":p":{"S":"ORG#a"}},"Select":"COUNT"}`))
	if v := checks[0].context["dynamodb:Select"]; len(v) != 1 || v[0] != "COUNT" {
		t.Fatalf("dynamodb:Select = %v", v)
	}
	checks, _ = dynamoChecks(m, "ExecuteStatement", []byte(`{"Statement":"SELECT * FROM t"}`))
	if checks[0].uncomputable != leadingKeys {
		t.Fatal("PartiQL check does not mark leading keys as uncomputable")
	}
	checks, _ = dynamoChecks(m, "BatchWriteItem", []byte(`{"RequestItems":{"zother":[{"DeleteRequest":{"Key":{"pk":{"S":"x"}}}}]}}`))
	if checks[0].refusal == "" {
		t.Fatal("item check on an undeclared table was not refused")
	}
}

// TestVacuousLeadingKeys shows the enforcer reproducing IAM's vacuous
// ForAllValues for Scan, as AWS would, while failing closed for PartiQL,
// whose leading keys it does not compute.
func TestVacuousLeadingKeys(t *testing.T) {
	h := newHarness(t, "testdata/vacuous.yaml")
	creds, err := h.assume(h.operator(), "arn:aws:iam::123456789012:role/tollgate-Careless", "careless", map[string]string{"org": "org_a"})
	if err != nil {
		t.Fatal(err)
	}
	db := h.dynamo(h.cfg(creds))
	ctx := context.Background()
	tbl := aws.String("tollgate-Table")
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"scan has no leading keys, so the condition holds (as in AWS)", func() error {
			_, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: tbl})
			return err
		}, ""},
		{"get item of another org is still refused", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tbl, Key: av{"pk": s("ORG#org_b")}})
			return err
		}, "AccessDeniedException"},
		{"partiql select under a leading-keys condition fails closed", func() error {
			_, err := db.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{Statement: aws.String(`SELECT * FROM "tollgate-Table" WHERE pk = 'ORG#org_a'`)})
			return err
		}, "AccessDeniedException"},
		{"unconditional partiql insert is allowed", func() error {
			_, err := db.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{Statement: aws.String(`INSERT INTO "tollgate-Table" VALUE {'pk': 'ORG#org_a'}`)})
			return err
		}, ""},
		{"an empty batch names nothing to authorize", func() error {
			_, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{}})
			return err
		}, "ValidationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errCode(t, tc.call()); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUniqueJSONKeys(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
	}{
		{``, true},
		{`{}`, true},
		{`{"Key":{"pk":{"S":"a"}},"TableName":"t","List":[{"a":1},{"a":2}]}`, true},
		{`{"Key":{"pk":{"S":"ORG#a"}},"Key":{"pk":{"S":"ORG#b"}}}`, false},
		{`{"Key":{"pk":{"S":"ORG#a"},"pk":{"S":"ORG#b"}}}`, false},
		{`{"Items":[{"pk":{"S":"a","S":"b"}}]}`, false},
		{`{"a":1} {"a":2}`, false},
		{`{"a":`, false},
		{strings.Repeat("[", 70) + strings.Repeat("]", 70), false},
	}
	for _, tc := range tests {
		if err := uniqueJSONKeys([]byte(tc.body)); (err == nil) != tc.ok {
			t.Errorf("%.40q: err = %v, want ok=%v", tc.body, err, tc.ok)
		}
	}
}
