package orgdata_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/member"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// fixture is an org built through the real packages, with what a test
// needs to check that its secrets never leak and stop working.
type fixture struct {
	org    string
	sc     *tenant.Scoped
	scope  secrets.Scope
	ws     []string
	tokens []string // secrets that authenticate: current ones and a rotated-out one in its grace
	hashes []string
	tokIDs []string
	// plain secrets (provider keys, prompts) and their sealed forms, with
	// the purpose and record that open them.
	plains []string
	sealed []sealedValue
}

type sealedValue struct{ purpose, record, value string }

// buildOrg creates an org with two workspaces, each with settings, an
// alias, a connection with a sealed key, a token (one rotated), budget
// and rate counters, a settled call with its trace, an open reservation,
// a trace with sealed content awaiting redaction, an audit entry and the
// savings engine's data (addSavings); plus members, a registry entry and
// the org-wide savings items (addOrgSavings).
func buildOrg(t *testing.T) *fixture {
	t.Helper()
	ctx := ctxT(t)
	table := stack.TableName
	f := &fixture{org: id.New(id.Org)}
	sc, err := sessions.For(ctx, f.org)
	if err != nil {
		t.Fatal(err)
	}
	f.sc, f.scope = sc, secrets.Scope{Org: f.org, DynamoDB: sc.DynamoDB, KMS: sc.KMS}
	db := sc.DynamoDB
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	seal := func(purpose, record, plain string) string {
		t.Helper()
		v, err := envelope.Seal(ctx, f.scope, purpose, record, []byte(plain))
		must(err)
		f.plains = append(f.plains, plain)
		f.sealed = append(f.sealed, sealedValue{purpose, record, v})
		return v
	}
	_, err = api.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": sv("REGISTRY"), "sk": sv("ORG#" + f.org), "org": sv(f.org)}})
	must(err)

	wss := workspace.NewStore(workspace.Config{Table: table})
	must(wss.PutOrg(ctx, db, f.org, workspace.Org{Name: "Acme " + f.org, MonthlyCap: 1_000_000_000_000}))
	members := member.NewStore(table, nil)
	owner, err := members.Add(ctx, db, f.org, member.Member{Email: "owner-" + f.org + "@example.com", Name: "Olga", Role: member.Owner})
	must(err)
	_, err = members.Add(ctx, db, f.org, member.Member{Email: "dev-" + f.org + "@example.com", Role: member.Developer})
	must(err)

	tokens := token.New(token.Config{Table: table})
	gate := budget.New(budget.Config{Table: table})
	traces := trace.NewStore(table, nil)
	log := audit.New(audit.Config{Table: table})
	now := time.Now().UTC()
	for i := range 2 {
		ws := id.New(id.Workspace)
		f.ws = append(f.ws, ws)
		_, err := wss.Create(ctx, db, f.org, ws, fmt.Sprintf("Workspace %d", i), now)
		must(err)
		must(wss.PutSettings(ctx, db, f.org, ws, workspace.Settings{Name: fmt.Sprintf("Workspace %d", i), MonthlyCap: 100_000_000_000,
			RPM: 100, TPM: 100_000, StoreContentAllowed: true, RedactAfterDays: 30, RetentionDays: 90}))
		must(wss.PutAlias(ctx, db, f.org, ws, workspace.Alias{Name: "fast", Version: 1,
			Targets: []workspace.Target{{Connection: "openai", Model: "gpt-4o-mini"}}}))
		providerKey := fmt.Sprintf("sk-proj-PLAINTEXT-%s-%s", ws, id.New(id.Key))
		must(wss.PutConnection(ctx, db, f.org, ws, workspace.Connection{Name: "openai", Kind: "openai",
			SealedKey: seal(workspace.PurposeProviderKey, workspace.KeyRecord(ws, "openai"), providerKey), Last4: providerKey[len(providerKey)-4:]}))

		secret, tok, err := tokens.Create(ctx, db, api, f.org, token.Spec{Name: "ci", Workspace: ws, Member: owner.ID,
			Scopes: []string{auth.ScopeInference, auth.ScopeRead}, CapNano: 1_000_000_000, RPM: 10})
		must(err)
		f.tokIDs = append(f.tokIDs, tok.ID)
		if i == 1 { // a rotated token: both its secrets authenticate during the grace
			f.tokens, f.hashes = append(f.tokens, secret), append(f.hashes, auth.Hash(secret))
			secret, _, err = tokens.Rotate(ctx, db, api, f.org, tok.ID, time.Hour)
			must(err)
		}
		f.tokens, f.hashes = append(f.tokens, secret), append(f.hashes, auth.Hash(secret))

		limits := budget.Limits{OrgCap: 1_000_000_000_000, WorkspaceCap: 100_000_000_000, TokenCap: 1_000_000_000, WorkspaceRPM: 100, TokenRPM: 10}
		req := budget.Request{Org: f.org, Workspace: ws, TokenID: tok.ID, RequestID: id.New(id.Request), Cost: 5000, Tokens: 100, Limits: limits}
		res, err := gate.Reserve(ctx, db, req)
		must(err)
		traceID := id.New(id.Trace)
		tr := &trace.Trace{ID: traceID, Org: f.org, Workspace: ws, TokenID: tok.ID, Source: "gateway", Time: now,
			Alias: "fast", Provider: "openai", Model: "gpt-4o-mini", Status: trace.StatusOK, TokensIn: 40, TokensOut: 20,
			CostNano: 3000, PriceTable: "2026-01", LatencyMS: 420, Attempts: 1, Feature: "search", Tags: map[string]string{"team": "search"},
			SealedContent: seal("trace-content", traceID, "PROMPT-PLAINTEXT "+traceID), RedactAt: now.Add(30 * 24 * time.Hour).Unix()}
		extra, err := traces.Writes(tr, 90*24*time.Hour)
		must(err)
		must(gate.Settle(ctx, db, res, budget.Outcome{Cost: 3000, Tokens: 60}, extra...))
		req.RequestID = id.New(id.Request) // a call still in flight: its reservation stays open
		_, err = gate.Reserve(ctx, db, req)
		must(err)
		_, err = traces.Record(ctx, db, &trace.Trace{ID: id.New(id.Trace), Org: f.org, Workspace: ws, Source: "ingest",
			Time: now.Add(-48 * time.Hour), Provider: "anthropic", Model: "claude", Status: trace.StatusError, ErrorCode: "overloaded",
			TokensIn: 5, CostNano: 10}, 30*24*time.Hour)
		must(err)
		_, err = log.Append(ctx, db, audit.Entry{Org: f.org, Actor: owner.ID, ActorKind: audit.ActorMember, Action: "token.create",
			TargetType: "token", TargetID: tok.ID, Workspace: ws, Result: audit.ResultOK})
		must(err)
		f.addSavings(t, i, ws, traceID, gate, traces)
	}
	f.addOrgSavings(t)
	return f
}

func sv(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// authenticates reports whether secret still authenticates, with a fresh
// authenticator (no cache) on the gateway's role.
func authenticates(t *testing.T, secret string) bool {
	t.Helper()
	_, err := auth.New(auth.Config{Table: stack.TableName, DB: gateway}).Authenticate(context.Background(), secret)
	return err == nil
}

// opens reports whether a sealed value still opens, with a fresh envelope
// (no cached data key).
func opens(t *testing.T, f *fixture, v sealedValue) bool {
	t.Helper()
	fresh := secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN})
	_, err := fresh.Open(context.Background(), f.scope, v.purpose, v.record, v.value)
	return err == nil
}

// destroyer is the DeleteOrg destroy step the API passes: the org's
// DestroyKeys.
func destroyer(scope secrets.Scope) func(context.Context) error {
	return func(ctx context.Context) error { return envelope.DestroyKeys(ctx, scope) }
}
