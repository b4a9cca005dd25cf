package retention_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/retention"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

var (
	stack    *localstack.Stack
	fnConfig aws.Config       // the retention function's own role
	sessions *tenant.Sessions // TenantRole sessions as the retention function makes them
	operator *dynamodb.Client // the operator's view, for seeding and for inspecting the raw table
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "retention-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		ctx := context.Background()
		if fnConfig, err = s.RoleConfig(ctx, "RetentionFunctionRole"); err != nil {
			return err
		}
		if sessions, err = s.TenantSessions(ctx, "RetentionFunctionRole"); err != nil {
			return err
		}
		operator = dynamodb.NewFromConfig(s.OperatorConfig())
		return nil
	})
}

// t0 is the tests' "now" before the clock moves.
var t0 = time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

// clock is a movable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time         { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time)        { c.mu.Lock(); c.now = t; c.mu.Unlock() }
func newClock(t time.Time) *clock       { return &clock{now: t} }
func (c *clock) Add(d time.Duration)    { c.Set(c.Now().Add(d)) }
func (c *clock) Func() func() time.Time { return c.Now }

// newJob returns a job as the function builds it, on clk, with its log in
// logs. Options adjust its config.
func newJob(clk *clock, logs *bytes.Buffer, opts ...func(*retention.Config)) *retention.Job {
	cfg := retention.Config{
		Table:    stack.TableName,
		Registry: dynamodb.NewFromConfig(fnConfig),
		Tenants:  sessions,
		Traces:   trace.NewStore(stack.TableName, clk.Func()),
		Budget:   budget.New(budget.Config{Table: stack.TableName, Clock: clk.Func()}),
		Clock:    clk.Func(),
	}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	for _, o := range opts {
		o(&cfg)
	}
	return retention.New(cfg)
}

// runToEnd runs job until its pass completes and sums the reports.
func runToEnd(t *testing.T, job *retention.Job) retention.Report {
	t.Helper()
	var sum retention.Report
	for i := 0; i < 1000; i++ {
		rep, err := job.Run(context.Background())
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		sum.Orgs += rep.Orgs
		sum.Released += rep.Released
		sum.Redacted += rep.Redacted
		sum.Deleted += rep.Deleted
		sum.TokensPurged += rep.TokensPurged
		sum.Failed = append(sum.Failed, rep.Failed...)
		if rep.Complete {
			return sum
		}
	}
	t.Fatal("the pass never completed")
	return sum
}

// newOrg registers a fresh org (as org creation does) and returns it with
// a session of it; the registry entry is removed when the test ends, so
// other tests' passes do not see it.
func newOrg(t *testing.T) (string, *tenant.Scoped) {
	t.Helper()
	ctx := context.Background()
	org := id.New(id.Org)
	key := map[string]types.AttributeValue{"pk": s("REGISTRY"), "sk": s("ORG#" + org)}
	item := map[string]types.AttributeValue{"pk": key["pk"], "sk": key["sk"], "org": s(org)}
	if _, err := operator.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.TableName), Item: item}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = operator.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(stack.TableName), Key: key})
	})
	sc, err := sessions.For(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	return org, sc
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// record stores n traces of org at `at` (a second apart), kept for keep;
// every one with sealed content when redactAt is set.
func record(t *testing.T, sc *tenant.Scoped, org string, n int, at time.Time, keep time.Duration, redactAt time.Time) []*trace.Trace {
	t.Helper()
	st := trace.NewStore(stack.TableName, nil)
	out := make([]*trace.Trace, n)
	for i := range out {
		tr := &trace.Trace{
			ID: id.New(id.Trace), Org: org, Workspace: "ws_00000000000000000000", Source: "ingest",
			Time: at.Add(time.Duration(i) * time.Second), Provider: "openai", Model: "gpt-4o-mini", Status: trace.StatusOK,
			TokensIn: 10, TokensOut: 5, CostNano: 1000,
		}
		if !redactAt.IsZero() {
			tr.SealedContent, tr.RedactAt = "v1.dk_00000000000000000000.c2VhbGVk", redactAt.Unix()
		}
		if _, err := st.Record(context.Background(), sc.DynamoDB, tr, keep); err != nil {
			t.Fatal(err)
		}
		out[i] = tr
	}
	return out
}

// rawTraces reads org's trace items for day straight from the table,
// expired or not: what TTL has not yet removed is still counted.
func rawTraces(t *testing.T, org string, day time.Time) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	for shard := 0; shard < trace.Shards; shard++ {
		p := dynamodb.NewQueryPaginator(operator, &dynamodb.QueryInput{
			TableName:              aws.String(stack.TableName),
			KeyConditionExpression: aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": s(fmt.Sprintf("ORG#%s#TR#%s#%d", org, day.UTC().Format("20060102"), shard))},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, page.Items...)
		}
	}
	return items
}

// killAfter returns an SDK option that cancels cancel's context on the
// n-th call and fails that call: the function being killed mid-run.
func killAfter(n int64, cancel context.CancelFunc) func(*middleware.Stack) error {
	var calls atomic.Int64
	return func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("kill", func(ctx context.Context, in middleware.InitializeInput,
			next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if calls.Add(1) >= n {
				cancel()
				return middleware.InitializeOutput{}, middleware.Metadata{}, context.Canceled
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	}
}
