package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/member"
)

// TestExportThenDelete exports an org that used every route, checks the
// export holds what it created and none of its secrets, deletes a
// workspace and then the org, and scans the raw table for anything left.
func TestExportThenDelete(t *testing.T) {
	a, b := newOrg(t, "Epsilon"), newOrg(t, "Zeta")
	owner, ws := a.keys[member.Owner], "/api/v1/workspaces/"+a.Workspace
	const providerKey = "sk-ant-api03-EXPORTDELETEkey0123456789abcdefABCDEF"
	mustStatus := func(want int, method, path, body string) string {
		t.Helper()
		st, out := do(t, owner, method, path, body)
		if st != want {
			t.Fatalf("%s %s: %d %s", method, path, st, out)
		}
		return out
	}
	second := field(t, mustStatus(201, "POST", "/api/v1/workspaces", `{"name":"second"}`), "id")
	mustStatus(200, "PUT", ws+"/keys/claude", `{"kind":"anthropic","api_key":"`+providerKey+`"}`)
	mustStatus(200, "PUT", ws+"/aliases/smart", `{"targets":["claude/claude-sonnet-4"]}`)
	mustStatus(200, "PATCH", ws+"/budget", `{"monthly_cap_nano":5000000000,"rpm":60,"alert_thresholds":[50,90]}`)
	mustStatus(200, "PATCH", ws+"/retention", `{"store_content_allowed":true,"redact_after_days":7}`)
	secret := field(t, mustStatus(201, "POST", "/api/v1/tokens", `{"name":"ci","workspace":"`+second+`","scopes":["ingest"]}`), "secret")

	export := mustStatus(200, "GET", "/api/v1/org/export", "")
	for _, want := range []string{"owner@epsilon.example", "viewer@epsilon.example", `"second"`, "claude/claude-sonnet-4",
		`"ci"`, "workspace.create", "key.put", `"redact_after_days":7`} {
		if !strings.Contains(export, want) {
			t.Fatalf("export lacks %s", want)
		}
	}
	for _, leak := range []string{providerKey, providerKey[:24], secret, b.Org} {
		if strings.Contains(export, leak) {
			t.Fatal("the export holds a secret or another org's data")
		}
	}

	if st, body := do(t, owner, "DELETE", "/api/v1/workspaces/"+second+"?confirm=nope", ""); st != 400 || code(body) != "confirmation_required" {
		t.Fatalf("unconfirmed workspace delete: %d %s", st, body)
	}
	mustStatus(204, "DELETE", "/api/v1/workspaces/"+second+"?confirm="+second, "")
	if st, _ := do(t, secret, "GET", "/api/v1/me", ""); st != 401 {
		t.Fatalf("a key of the deleted workspace still authenticates: %d", st)
	}
	if st, body := do(t, owner, "DELETE", ws+"?confirm="+a.Workspace, ""); st != 409 || code(body) != "last_workspace" {
		t.Fatalf("deleting the last workspace: %d %s", st, body)
	}
	if st, body := do(t, a.keys[member.Admin], "DELETE", "/api/v1/org?confirm="+a.Org, ""); st != 403 {
		t.Fatalf("an admin deleting the org: %d %s", st, body)
	}
	mustStatus(204, "DELETE", "/api/v1/org?confirm="+a.Org, "")

	if st, _ := do(t, owner, "GET", "/api/v1/me", ""); st != 401 {
		t.Fatalf("the owner key after the org was deleted: %d", st)
	}
	if left := scanFor(t, a.Org); left != 0 {
		t.Fatalf("%d items of the deleted org remain in the table", left)
	}
	if st, _ := do(t, b.Token, "GET", "/api/v1/members", ""); st != 200 || scanFor(t, b.Org) == 0 {
		t.Fatal("the other org was touched")
	}
}

// scanFor counts the raw table's items that mention s in a key or string
// attribute, reading DynamoDB Local directly (no policy in the way).
func scanFor(t *testing.T, s string) int {
	t.Helper()
	db := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig())
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(stack.TableName)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			for _, v := range it {
				if sv, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(sv.Value, s) {
					n++
					break
				}
			}
		}
	}
	return n
}
