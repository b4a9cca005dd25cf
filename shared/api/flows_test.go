package api_test

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/member"
)

func TestWorkspacesMembersAndTheirAudit(t *testing.T) {
	a := newOrg(t, "Gamma")
	owner, admin := a.keys[member.Owner], a.keys[member.Admin]

	st, body := do(t, owner, "POST", "/api/v1/workspaces", `{"name":"research"}`)
	if st != 201 || field(t, body, "name") != "research" {
		t.Fatalf("create workspace: %d %s", st, body)
	}
	ws := field(t, body, "id")
	if st, body = do(t, admin, "PATCH", "/api/v1/workspaces/"+ws, `{"name":"r&d"}`); st != 200 || field(t, body, "name") != "r&d" {
		t.Fatalf("rename: %d %s", st, body)
	}
	if st, body = do(t, owner, "GET", "/api/v1/workspaces", ""); st != 200 || !strings.Contains(body, `"r&d"`) || !strings.Contains(body, a.Workspace) {
		t.Fatalf("list: %d %s", st, body)
	}

	st, body = do(t, admin, "POST", "/api/v1/members", `{"email":"Ada@Gamma.example","name":"Ada","role":"developer"}`)
	if st != 201 {
		t.Fatalf("add member: %d %s", st, body)
	}
	ada := field(t, body, "id")
	if st, body = do(t, admin, "POST", "/api/v1/members", `{"email":"ada@gamma.example","role":"viewer"}`); st != 409 || code(body) != "member_exists" {
		t.Fatalf("duplicate email: %d %s", st, body)
	}
	if st, body = do(t, admin, "POST", "/api/v1/members", `{"email":"boss@gamma.example","role":"owner"}`); st != 403 || code(body) != "cannot_assign_role" {
		t.Fatalf("an admin making an owner: %d %s", st, body)
	}
	if st, body = do(t, admin, "PATCH", "/api/v1/members/"+a.Member, `{"role":"viewer"}`); st != 403 || code(body) != "cannot_assign_role" {
		t.Fatalf("an admin demoting the owner: %d %s", st, body)
	}
	if st, body = do(t, owner, "PATCH", "/api/v1/members/"+a.Member, `{"role":"admin"}`); st != 409 || code(body) != "last_owner" {
		t.Fatalf("the last owner demoting themself: %d %s", st, body)
	}
	if st, body = do(t, owner, "DELETE", "/api/v1/members/"+a.Member, ""); st != 409 || code(body) != "last_owner" {
		t.Fatalf("removing the last owner: %d %s", st, body)
	}
	if st, body = do(t, admin, "PATCH", "/api/v1/members/"+ada, `{"role":"admin"}`); st != 200 || field(t, body, "role") != "admin" {
		t.Fatalf("promote: %d %s", st, body)
	}
	if st, body = do(t, owner, "DELETE", "/api/v1/members/"+ada, ""); st != 204 {
		t.Fatalf("remove: %d %s", st, body)
	}
	if st, body = do(t, owner, "GET", "/api/v1/members/"+ada, ""); st != 404 && st != 405 {
		t.Fatalf("removed member: %d %s", st, body)
	}

	// Every change above is in the audit log, newest first, with actor and source.
	st, body = do(t, owner, "GET", "/api/v1/audit?limit=50", "")
	if st != 200 {
		t.Fatalf("audit: %d %s", st, body)
	}
	for _, want := range []string{`"action":"workspace.create"`, `"action":"workspace.rename"`, `"action":"member.add"`,
		`"action":"member.role"`, `"action":"member.remove"`, `"actor":"` + a.ids[member.Admin] + `"`, `"source_ip":"127.0.0.1"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("audit lacks %s: %s", want, body)
		}
	}
	if st, body = do(t, owner, "GET", "/api/v1/audit/export?format=csv", ""); st != 200 || !strings.HasPrefix(body, "id,time,org,") ||
		!strings.Contains(body, "member.remove") {
		t.Fatalf("csv export: %d %.300s", st, body)
	}
}

func TestBadInputGetsTypedErrors(t *testing.T) {
	a := newOrg(t, "Delta")
	owner := a.keys[member.Owner]
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"unknown field (mass assignment)", "POST", "/api/v1/members", `{"email":"x@delta.example","role":"viewer","org_id":"org_x"}`, 400, "unknown_field"},
		{"bad role", "POST", "/api/v1/members", `{"email":"x@delta.example","role":"god"}`, 400, "invalid_role"},
		{"bad email", "POST", "/api/v1/members", `{"email":"not an email","role":"viewer"}`, 400, "invalid_email"},
		{"no body", "POST", "/api/v1/workspaces", ``, 400, "body_required"},
		{"not JSON", "POST", "/api/v1/workspaces", `{"name":`, 400, "invalid_json"},
		{"trailing data", "POST", "/api/v1/workspaces", `{"name":"a"} {}`, 400, "invalid_json"},
		{"wrong type", "POST", "/api/v1/workspaces", `{"name":5}`, 400, "invalid_json"},
		{"long name", "POST", "/api/v1/workspaces", `{"name":"` + strings.Repeat("n", 101) + `"}`, 400, "invalid_name"},
		{"body too large", "POST", "/api/v1/workspaces", `{"name":"` + strings.Repeat("n", 70<<10) + `"}`, 413, "body_too_large"},
		{"unknown workspace", "GET", "/api/v1/workspaces/ws_00000000000000000000", ``, 404, "workspace_not_found"},
		{"malformed workspace id", "GET", "/api/v1/workspaces/nope", ``, 404, "workspace_not_found"},
		{"unknown route", "GET", "/api/v1/nothing", ``, 404, "route_not_found"},
		{"token scopes", "POST", "/api/v1/tokens", `{"name":"k","workspace":"` + a.Workspace + `","scopes":["root"]}`, 400, "invalid_scopes"},
		{"token expiry", "POST", "/api/v1/tokens", `{"name":"k","workspace":"` + a.Workspace + `","scopes":["read"],"expires_in_days":0}`, 400, "invalid_expiry"},
		{"rotate grace", "POST", "/api/v1/tokens/" + a.TokenID + "/rotate", `{"grace_seconds":-1}`, 400, "invalid_grace"},
		{"audit limit", "GET", "/api/v1/audit?limit=501", ``, 400, "invalid_limit"},
		{"audit time", "GET", "/api/v1/audit?from=yesterday", ``, 400, "invalid_time"},
		{"export format", "GET", "/api/v1/audit/export?format=xml", ``, 400, "invalid_export_format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, body := do(t, owner, c.method, c.path, c.body)
			if st != c.status || code(body) != c.code {
				t.Fatalf("%d %s, want %d %s", st, body, c.status, c.code)
			}
			if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
				t.Fatalf("internal detail in the answer: %s", body)
			}
		})
	}
}
