package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/api"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/member"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
)

// sample is one concrete request for an operation, aimed at org a's data.
type sample struct {
	path, body string
	// refersToA says the path or body names one of a's objects, so
	// another org's caller must be refused (404, or 400 for a body
	// reference) rather than served its own data.
	refersToA bool
}

// samples has one request per operation of openapi.yaml. The isolation
// suite fails when an operation has none, so a new route cannot ship
// without its cases.
func samples(a *org, victimToken string) map[string]sample {
	ws := "/api/v1/workspaces/" + a.Workspace
	return map[string]sample{
		"getMe":              {path: "/api/v1/me"},
		"listWorkspaces":     {path: "/api/v1/workspaces"},
		"createWorkspace":    {path: "/api/v1/workspaces", body: `{"name":"intruder"}`},
		"getWorkspace":       {path: ws, refersToA: true},
		"renameWorkspace":    {path: ws, body: `{"name":"hijacked"}`, refersToA: true},
		"listMembers":        {path: "/api/v1/members"},
		"addMember":          {path: "/api/v1/members", body: `{"email":"new@intruder.example","role":"viewer"}`},
		"changeMemberRole":   {path: "/api/v1/members/" + a.ids[member.Viewer], body: `{"role":"admin"}`, refersToA: true},
		"removeMember":       {path: "/api/v1/members/" + a.ids[member.Developer], refersToA: true},
		"listTokens":         {path: "/api/v1/tokens"},
		"createToken":        {path: "/api/v1/tokens", body: `{"name":"x","workspace":"` + a.Workspace + `","scopes":["inference"]}`, refersToA: true},
		"rotateToken":        {path: "/api/v1/tokens/" + victimToken + "/rotate", body: `{"grace_seconds":0}`, refersToA: true},
		"revokeToken":        {path: "/api/v1/tokens/" + victimToken, refersToA: true},
		"listAudit":          {path: "/api/v1/audit"},
		"exportAudit":        {path: "/api/v1/audit/export?format=jsonl"},
		"getOrg":             {path: "/api/v1/org"},
		"updateOrg":          {path: "/api/v1/org", body: `{"name":"renamed by intruder"}`},
		"setOrgBudget":       {path: "/api/v1/org/budget", body: `{"monthly_cap_nano":1}`},
		"getBudgets":         {path: "/api/v1/budgets"},
		"setWorkspaceBudget": {path: ws + "/budget", body: `{"monthly_cap_nano":1}`, refersToA: true},
		"getRetention":       {path: ws + "/retention", refersToA: true},
		"setRetention":       {path: ws + "/retention", body: `{"store_content_allowed":true}`, refersToA: true},
		"listKeys":           {path: ws + "/keys", refersToA: true},
		"putKey":             {path: ws + "/keys/openai", body: `{"kind":"openai","api_key":"sk-intruder-0000000000000000"}`, refersToA: true},
		"deleteKey":          {path: ws + "/keys/main", refersToA: true},
		"listAliases":        {path: ws + "/aliases", refersToA: true},
		"putAlias":           {path: ws + "/aliases/default", body: `{"targets":["evil/gpt-4o"]}`, refersToA: true},
		"deleteAlias":        {path: ws + "/aliases/default", refersToA: true},
		"aliasVersions":      {path: ws + "/aliases/default/versions", refersToA: true},
		"rollbackAlias":      {path: ws + "/aliases/default/rollback", body: `{"version":1}`, refersToA: true},
		"exportOrg":          {path: "/api/v1/org/export"},
		"deleteWorkspace":    {path: ws + "?confirm=" + a.Workspace, refersToA: true},
		"deleteOrg":          {path: "/api/v1/org?confirm=" + a.Org, refersToA: true},
		"uploadDataset":      {path: ws + "/datasets?name=intruder", body: `{"messages":[{"role":"user","content":"hi"}]}`, refersToA: true},
		"listDatasets":       {path: ws + "/datasets", refersToA: true},
		"getDataset":         {path: ws + "/datasets/ds_00000000000000000000", refersToA: true},
		"deleteDataset":      {path: ws + "/datasets/ds_00000000000000000000", refersToA: true},
		"createEval": {path: ws + "/evals", body: `{"baseline":"mock/mock-large","candidate":"mock/mock-small",` +
			`"source":"dataset:ds_00000000000000000000","scorer":{"type":"exact"},"cap_nano":1000000}`, refersToA: true},
		"listEvals":              {path: ws + "/evals", refersToA: true},
		"getEval":                {path: ws + "/evals/run_00000000000000000000", refersToA: true},
		"cancelEval":             {path: ws + "/evals/run_00000000000000000000/cancel", refersToA: true},
		"evalResults":            {path: ws + "/evals/run_00000000000000000000/results", refersToA: true},
		"getEvalKill":            {path: "/api/v1/org/eval-kill-switch"},
		"setEvalKill":            {path: "/api/v1/org/eval-kill-switch", body: `{"on":false}`},
		"listRecommendations":    {path: ws + "/recommendations", refersToA: true},
		"getRecommendation":      {path: ws + "/recommendations/rec_00000000000000000000", refersToA: true},
		"dismissRecommendation":  {path: ws + "/recommendations/rec_00000000000000000000/dismiss", body: `{}`, refersToA: true},
		"applyRecommendation":    {path: ws + "/recommendations/rec_00000000000000000000/apply", body: `{"auto_rollback":true}`, refersToA: true},
		"rollbackRecommendation": {path: ws + "/recommendations/rec_00000000000000000000/rollback", body: `{}`, refersToA: true},
		"listDrift":              {path: "/api/v1/drift"},
	}
}

// TestRouteCompleteIsolation walks every operation of the OpenAPI document
// and calls it as another org's owner, as the highest role without the
// permission, with a key lacking the scope, with an expired key and with a
// revoked key: each is refused as the README specifies, and org A's data
// never shows in any answer.
func TestRouteCompleteIsolation(t *testing.T) {
	a, b := newOrg(t, "Alpha"), newOrg(t, "Beta")
	ctx := context.Background()
	_, victim, err := tokens().Create(ctx, a.sc.DynamoDB, fnDB, a.Org,
		token.Spec{Name: "victim", Workspace: a.Workspace, Member: a.ids[member.Owner], Scopes: []string{auth.ScopeInference}})
	if err != nil {
		t.Fatal(err)
	}
	expired := a.key(t, a.ids[member.Owner], auth.AllScopes, time.Hour, time.Now().Add(-2*time.Hour))
	revoked, revokedID := a.keyAndID(t, a.ids[member.Owner], auth.AllScopes, 0, time.Now())
	if _, err := tokens().Revoke(ctx, a.sc.DynamoDB, fnDB, a.Org, revokedID); err != nil {
		t.Fatal(err)
	}
	inferenceOnly := a.key(t, a.ids[member.Owner], []string{auth.ScopeInference, auth.ScopeIngest}, 0, time.Now())
	readOnly := a.key(t, a.ids[member.Owner], []string{auth.ScopeRead}, 0, time.Now())
	aIDs := []string{a.Org, a.Workspace, a.Member, a.ids[member.Admin], a.ids[member.Developer], a.ids[member.Viewer], victim.ID}

	ops, err := api.Operations()
	if err != nil {
		t.Fatal(err)
	}
	cases := samples(a, victim.ID)
	if len(cases) != len(ops) {
		t.Errorf("%d samples for %d operations: every route needs its isolation cases", len(cases), len(ops))
	}
	for _, op := range ops {
		s, ok := cases[op.ID]
		if !ok {
			t.Errorf("operation %s (%s) has no isolation case", op.ID, op.Pattern())
			continue
		}
		t.Run(op.ID, func(t *testing.T) {
			refuse := func(who, key string, status int, wantCode string) {
				t.Helper()
				got, body := do(t, key, op.Method, s.path, s.body)
				if got != status || code(body) != wantCode {
					t.Fatalf("%s: %d %s, want %d %s", who, got, body, status, wantCode)
				}
			}
			refuse("no key", "", 401, "missing_api_key")
			refuse("expired key", expired, 401, "expired_api_key")
			refuse("revoked key", revoked, 401, "invalid_api_key")
			refuse("key without the scope", inferenceOnly, 403, "insufficient_scope")
			if op.Scope == auth.ScopeAdmin {
				refuse("read-only key", readOnly, 403, "insufficient_scope")
			}
			if lower, ok := highestWithout(member.Permission(op.Permission)); ok {
				refuse("the "+string(lower)+" role", a.keys[lower], 403, "insufficient_role")
			}
			got, body := do(t, b.Token, op.Method, s.path, s.body)
			if s.refersToA && got != http.StatusNotFound && got != http.StatusBadRequest {
				t.Fatalf("org B reaching org A's object: %d %s", got, body)
			}
			if !s.refersToA && got >= 300 {
				t.Fatalf("org B on its own data: %d %s", got, body)
			}
			for _, id := range aIDs {
				if strings.Contains(body, id) {
					t.Fatalf("org B's answer names org A's %s: %s", id, body)
				}
			}
		})
	}
	// Nothing of A changed through all of that.
	if got, body := do(t, a.Token, "GET", "/api/v1/members", ""); got != 200 || !strings.Contains(body, a.ids[member.Developer]) ||
		!strings.Contains(body, `"role":"viewer"`) {
		t.Fatalf("org A's members after the suite: %d %s", got, body)
	}
	if got, body := do(t, a.Token, "GET", "/api/v1/workspaces/"+a.Workspace, ""); got != 200 || strings.Contains(body, "hijacked") {
		t.Fatalf("org A's workspace after the suite: %d %s", got, body)
	}
	if v, err := tokens().Get(ctx, a.sc.DynamoDB, a.Org, victim.ID); err != nil || v.Status != token.StatusActive {
		t.Fatalf("org A's token after the suite: %+v %v", v, err)
	}
}

// highestWithout is the highest role that lacks p, if any.
func highestWithout(p member.Permission) (member.Role, bool) {
	for _, r := range member.Roles() { // owner first
		if !member.Allows(r, p) {
			return r, true
		}
	}
	return "", false
}

// swapped is a Tenants with a bug: it hands out org `to`'s session when
// asked for org `from`.
type swapped struct{ from, to string }

func (s swapped) For(ctx context.Context, org string) (*tenant.Scoped, error) {
	if org == s.from {
		org = s.to
	}
	return sessions.For(ctx, org)
}

// TestAHandlerBugCannotReachAnotherOrg proves isolation does not rest on
// handlers being right: with a session bug that gives org A's caller org
// B's credentials, every route A calls asks for ORG#A keys with B's
// session, and the enforcing endpoint refuses each one — A gets a 500 with
// nothing in it, and neither org's data shows.
func TestAHandlerBugCannotReachAnotherOrg(t *testing.T) {
	a, b := newOrg(t, "Eta"), newOrg(t, "Theta")
	var logs strings.Builder
	cfg := serverConfig()
	cfg.Tenants = swapped{from: a.Org, to: b.Org}
	cfg.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs}, nil))
	h, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	buggy := httptest.NewServer(h)
	defer buggy.Close()
	for _, path := range []string{"/api/v1/me", "/api/v1/members", "/api/v1/tokens", "/api/v1/workspaces/" + a.Workspace + "/keys"} {
		req, _ := http.NewRequest("GET", buggy.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+a.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 500 {
			t.Fatalf("%s through the buggy session: %d %s", path, res.StatusCode, body)
		}
		for _, id := range []string{a.Org, b.Org, a.Member, b.Member, "@eta.example", "@theta.example"} {
			if strings.Contains(string(body), id) {
				t.Fatalf("%s: the answer names %s: %s", path, id, body)
			}
		}
	}
	if !strings.Contains(logs.String(), "AccessDenied") {
		t.Fatalf("the refusals should come from the enforcing endpoint's policy:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
