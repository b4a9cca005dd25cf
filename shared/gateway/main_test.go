package gateway_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/gateway"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/logging"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// upstreamKey is the provider key the loopback OpenAI-compatible upstream
// requires; tests assert it never leaks.
const upstreamKey = "sk-proj-UPSTREAMKEYb4c8e1f0a9d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2"

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions
	// upstream is a real HTTP server speaking OpenAI's wire format (the
	// mock provider's handler), counting the calls that reach it.
	upstream      *httptest.Server
	upstreamCalls atomic.Int64
	// fastUpstream answers with no pacing, so benchmarks measure the gateway.
	fastUpstream *httptest.Server
	// logs captures every log line the gateways under test write.
	logs syncBuffer
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "gateway-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		if sessions, err = s.TenantSessions(context.Background(), "GatewayFunctionRole"); err != nil {
			return err
		}
		slow, err := mock.New(mock.Options{APIKey: upstreamKey, ChunkDelay: 5 * time.Millisecond,
			FailWith: map[string]int{"mock-down": 503, "mock-throttled": 429}, FailMidStream: map[string]int{"mock-broken": 3}})
		if err != nil {
			return err
		}
		fast, err := mock.New(mock.Options{APIKey: upstreamKey})
		if err != nil {
			return err
		}
		fastUpstream = httptest.NewServer(fast.Handler())
		inner := slow.Handler()
		upstream = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			upstreamCalls.Add(1)
			inner.ServeHTTP(w, r)
		}))
		return nil
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one gateway under test with one fresh org and workspace.
type env struct {
	t         *testing.T
	srv       *httptest.Server
	h         *gateway.Handler
	org, ws   string
	tokenID   string
	token     string
	scoped    *tenant.Scoped
	store     *workspace.Store
	gate      *budget.Gate
	settings  workspace.Settings
	endpoint  string // AWS endpoint the gateway uses
	fnConfigs func(*gateway.Settings)
}

type option func(*env)

// withAWSEndpoint points the gateway's AWS clients at another endpoint
// (a fault-injecting proxy in front of the stack).
func withAWSEndpoint(u string) option { return func(e *env) { e.endpoint = u } }

func withSettings(st workspace.Settings) option { return func(e *env) { e.settings = st } }

func withGateway(f func(*gateway.Settings)) option { return func(e *env) { e.fnConfigs = f } }

func newEnv(t *testing.T, opts ...option) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, org: id.New(id.Org), ws: id.New(id.Workspace), tokenID: id.New(id.Token), token: auth.NewToken(),
		settings: workspace.Settings{Name: "test"}, endpoint: stack.Endpoint}
	for _, o := range opts {
		o(e)
	}
	fn, err := stack.RoleConfig(ctx, "GatewayFunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	fn.BaseEndpoint = aws.String(e.endpoint)
	u, _ := url.Parse(upstream.URL)
	fu, _ := url.Parse(fastUpstream.URL)
	gs := gateway.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
		MockEnabled: true, AllowLoopback: []string{u.Host, fu.Host}, BudgetTimeout: 500 * time.Millisecond,
		RevocationDelay: time.Second, SettingsTTL: time.Nanosecond, // tests change settings between calls
	}
	if e.fnConfigs != nil {
		e.fnConfigs(&gs)
	}
	e.h, err = gateway.Assemble(fn, gs, logging.New(&logs, -8))
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.h)
	t.Cleanup(e.srv.Close)

	if e.scoped, err = sessions.For(ctx, e.org); err != nil {
		t.Fatal(err)
	}
	e.store = workspace.NewStore(workspace.Config{Table: stack.TableName})
	e.gate = budget.New(budget.Config{Table: stack.TableName})
	// The loopback upstream serves the mock's models under an
	// OpenAI-compatible connection: like any such model, they need a price.
	loopPrice := pricing.Price{Input: 150_000, CachedRead: 75_000, Output: 600_000, MaxOutput: 4_096}
	must(t, e.store.PutOrg(ctx, e.scoped.DynamoDB, e.org, workspace.Org{Name: "org", PriceOverrides: map[string]pricing.Price{
		"loop/mock-small": loopPrice, "loop/mock-down": loopPrice, "loop/mock-throttled": loopPrice, "loop/mock-broken": loopPrice,
		"nokey/mock-small": loopPrice, "fast/mock-small": loopPrice,
	}}))
	must(t, e.store.PutSettings(ctx, e.scoped.DynamoDB, e.org, e.ws, e.settings))
	sealed, err := secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN}).Seal(ctx,
		secrets.Scope{Org: e.org, DynamoDB: e.scoped.DynamoDB, KMS: e.scoped.KMS},
		workspace.PurposeProviderKey, workspace.KeyRecord(e.ws, "loop"), []byte(upstreamKey))
	must(t, err)
	must(t, e.store.PutConnection(ctx, e.scoped.DynamoDB, e.org, e.ws, workspace.Connection{
		Name: "loop", Kind: workspace.KindOpenAI, BaseURL: upstream.URL + "/v1", SealedKey: sealed, Last4: upstreamKey[len(upstreamKey)-4:]}))
	sealedFast, err := secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN}).Seal(ctx,
		secrets.Scope{Org: e.org, DynamoDB: e.scoped.DynamoDB, KMS: e.scoped.KMS},
		workspace.PurposeProviderKey, workspace.KeyRecord(e.ws, "fast"), []byte(upstreamKey))
	must(t, err)
	must(t, e.store.PutConnection(ctx, e.scoped.DynamoDB, e.org, e.ws, workspace.Connection{
		Name: "fast", Kind: workspace.KindOpenAI, BaseURL: fastUpstream.URL + "/v1", SealedKey: sealedFast}))
	must(t, e.store.PutConnection(ctx, e.scoped.DynamoDB, e.org, e.ws, workspace.Connection{
		Name: "nokey", Kind: workspace.KindOpenAI, BaseURL: upstream.URL + "/v1"}))
	e.issueToken(e.tokenID, e.token, auth.AllScopes, time.Now().Add(time.Hour), 0)
	return e
}

func (e *env) issueToken(tokenID, token string, scopes []string, until time.Time, capNano int64) {
	e.t.Helper()
	op := dynamodb.NewFromConfig(stack.OperatorConfig())
	_, err := op.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(stack.TableName),
		Item: auth.LookupItem(auth.Hash(token), auth.Principal{Org: e.org, Workspace: e.ws, TokenID: tokenID, Scopes: scopes, CapNano: capNano}, until)})
	must(e.t, err)
}

func (e *env) alias(name string, targets ...string) {
	e.t.Helper()
	a := workspace.Alias{Name: name, Version: 1}
	for _, t := range targets {
		tg, _ := workspace.ParseTarget(t)
		a.Targets = append(a.Targets, tg)
	}
	must(e.t, e.store.PutAlias(context.Background(), e.scoped.DynamoDB, e.org, e.ws, a))
}

func (e *env) spend() budget.Spend {
	e.t.Helper()
	sp, err := e.gate.Read(context.Background(), e.scoped.DynamoDB, e.org, e.ws, time.Now())
	must(e.t, err)
	return sp
}

// settled waits until every call has settled (settlement follows the
// response, so a client may read the answer first) and returns the spend.
func (e *env) settled() budget.Spend {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sp := e.spend()
		if sp.Reserved == 0 {
			return sp
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("calls never settled: %+v", sp)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *env) post(body string, hdr ...string) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	must(e.t, err)
	return resp
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
