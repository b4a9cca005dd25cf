package budget_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "budget-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		sessions, err = s.TenantSessions(context.Background(), "GatewayFunctionRole")
		return err
	})
}

// clock is a settable test clock.
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
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is one fresh org with a gate on a controlled clock.
type fixture struct {
	org, ws, tok string
	db           budget.DB
	gate         *budget.Gate
	clock        *clock
	scoped       *tenant.Scoped
}

func newFixture(t *testing.T, cfgs ...func(*budget.Config)) *fixture {
	t.Helper()
	f := &fixture{org: id.New(id.Org), ws: id.New(id.Workspace), tok: id.New(id.Token),
		clock: &clock{t: time.Date(2026, 11, 23, 12, 0, 10, 0, time.UTC)}}
	sc, err := sessions.For(context.Background(), f.org)
	if err != nil {
		t.Fatal(err)
	}
	f.scoped, f.db = sc, sc.DynamoDB
	cfg := budget.Config{Table: stack.TableName, Clock: f.clock.Now}
	for _, fn := range cfgs {
		fn(&cfg)
	}
	f.gate = budget.New(cfg)
	return f
}

func (f *fixture) req(cost int64, limits budget.Limits) budget.Request {
	return budget.Request{Org: f.org, Workspace: f.ws, TokenID: f.tok, RequestID: id.New(id.Request),
		Cost: pricingNano(cost), Tokens: 100, Limits: limits}
}

func (f *fixture) spend(t *testing.T, scope string) budget.Spend {
	t.Helper()
	sp, err := f.gate.Read(context.Background(), f.scoped.DynamoDB, f.org, scope, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return sp
}
