package shadow_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions
	envelope *secrets.Envelope
)

// The org keys the rest of the code base binds satisfy the store's
// interfaces as they are.
var (
	_ shadow.Sealer = dataset.OrgKeys{}
	_ shadow.Opener = dataset.OrgKeys{}
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "shadow-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		envelope = secrets.New(secrets.Config{Table: s.TableName, KMSKeyARN: s.KeyARN})
		sessions, err = s.TenantSessions(context.Background(), "GatewayFunctionRole")
		return err
	})
}

// tenantOrg is a fresh org as the gateway sees it: its scoped session and
// its keys.
type tenantOrg struct {
	id   string
	sc   *tenant.Scoped
	keys dataset.OrgKeys
}

func newOrg(t *testing.T) tenantOrg {
	t.Helper()
	org := id.New(id.Org)
	sc, err := sessions.For(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return tenantOrg{id: org, sc: sc,
		keys: dataset.Bind(envelope, secrets.Scope{Org: org, DynamoDB: sc.DynamoDB, KMS: sc.KMS})}
}

// clock is a settable test clock, so expiry is exact and instant.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newStore(c *clock, opts ...shadow.Option) *shadow.Store {
	return shadow.NewStore(stack.TableName, c.Now, opts...)
}

// direct bypasses the enforcing endpoint: only to inspect or tamper with
// raw items.
func direct() *dynamodb.Client { return dynamodb.NewFromConfig(stack.DirectDynamoDBConfig()) }

func code(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Code
}
