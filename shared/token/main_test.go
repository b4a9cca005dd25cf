package token_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions // TenantRole as the API function assumes it
	lookups  *dynamodb.Client // the API function's own role: TOKEN# items only
	gateway  *dynamodb.Client // the gateway's own role, for authentication
	direct   *dynamodb.Client // bypasses IAM, to inspect the table
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "token-test"}, func(s *localstack.Stack) (err error) {
		ctx := context.Background()
		stack = s
		if sessions, err = s.TenantSessions(ctx, "ApiFunctionRole"); err != nil {
			return err
		}
		api, err := s.RoleConfig(ctx, "ApiFunctionRole")
		if err != nil {
			return err
		}
		gw, err := s.RoleConfig(ctx, "GatewayFunctionRole")
		if err != nil {
			return err
		}
		lookups, gateway = dynamodb.NewFromConfig(api), dynamodb.NewFromConfig(gw)
		direct = dynamodb.NewFromConfig(s.DirectDynamoDBConfig())
		return nil
	})
}

// clock is the injected time every test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one fresh org with its clients, a manager and a clock.
type env struct {
	t     *testing.T
	ctx   context.Context
	org   string
	db    *dynamodb.Client // org-scoped (TenantRole session)
	clock *clock
	m     *token.Manager
}

func newEnv(t *testing.T) *env {
	t.Helper()
	org := id.New(id.Org)
	sc, err := sessions.For(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	return &env{
		t: t, ctx: context.Background(), org: org, db: sc.DynamoDB, clock: clk,
		m: token.New(token.Config{Table: stack.TableName, Clock: clk.Now, MaxTTL: 2 * 365 * 24 * time.Hour, MaxGrace: 7 * 24 * time.Hour}),
	}
}

func (e *env) spec() token.Spec {
	return token.Spec{Name: "ci deploy key", Workspace: id.New(id.Workspace), Scopes: []string{auth.ScopeInference}}
}

func (e *env) create(sp token.Spec) (string, token.Token) {
	e.t.Helper()
	secret, tok, err := e.m.Create(e.ctx, e.db, lookups, e.org, sp)
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
	return secret, tok
}

func (e *env) rotate(tokID string, grace time.Duration) string {
	e.t.Helper()
	secret, _, err := e.m.Rotate(e.ctx, e.db, lookups, e.org, tokID, grace)
	if err != nil {
		e.t.Fatalf("rotate: %v", err)
	}
	return secret
}

func (e *env) get(tokID string) token.Token {
	e.t.Helper()
	tok, err := e.m.Get(e.ctx, e.db, e.org, tokID)
	if err != nil {
		e.t.Fatalf("get: %v", err)
	}
	return tok
}

// authenticate checks secret as the gateway would, at the env's clock,
// with an authenticator of its own so no cached answer is reused (a
// CacheTTL of 0 means auth's 10s default, not "no cache").
func (e *env) authenticate(secret string) (*auth.Principal, error) {
	a := auth.New(auth.Config{Table: stack.TableName, DB: gateway, CacheTTL: time.Nanosecond, Clock: e.clock.Now})
	return a.Authenticate(e.ctx, secret)
}

func (e *env) mustWork(secret, when string) *auth.Principal {
	e.t.Helper()
	p, err := e.authenticate(secret)
	if err != nil {
		e.t.Fatalf("%s: the secret should work: %v", when, err)
	}
	if p.Org != e.org {
		e.t.Fatalf("%s: authenticated as org %s, want %s", when, p.Org, e.org)
	}
	return p
}

func (e *env) mustFail(secret, when string) {
	e.t.Helper()
	p, err := e.authenticate(secret)
	if err == nil {
		e.t.Fatalf("%s: the secret should be refused, authenticated as %+v", when, p)
	}
	if k := apperr.KindOf(err); k != apperr.Unauthenticated {
		e.t.Fatalf("%s: got %v (%s), want unauthenticated", when, err, k)
	}
}

// lookupsOf returns the global lookup items naming tokID, read around IAM.
func (e *env) lookupsOf(tokID string) []map[string]types.AttributeValue {
	e.t.Helper()
	var out []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(direct, &dynamodb.ScanInput{
		TableName:                 aws.String(stack.TableName),
		FilterExpression:          aws.String("begins_with(pk, :tok) AND org = :org"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":tok": &types.AttributeValueMemberS{Value: "TOKEN#"}, ":org": &types.AttributeValueMemberS{Value: e.org}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, it := range page.Items {
			if tokID == "" || it["token_id"].(*types.AttributeValueMemberS).Value == tokID {
				out = append(out, it)
			}
		}
	}
	return out
}

// wantCode asserts err is an apperr of kind with the stable code.
func wantCode(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want %s/%s", err, kind, code)
	}
	if ae.Kind != kind || ae.Code != code {
		t.Fatalf("got %s/%s (%v), want %s/%s", ae.Kind, ae.Code, err, kind, code)
	}
}

// num reads a number attribute of an item.
func num(t *testing.T, it map[string]types.AttributeValue, k string) int64 {
	t.Helper()
	v, ok := it[k].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("no number %s in item", k)
	}
	x, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
