package drift_test

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/drift"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

var (
	stack    *localstack.Stack
	fnConfig aws.Config       // the drift function's own role
	sessions *tenant.Sessions // TenantRole sessions as the drift function makes them
	operator *dynamodb.Client // the operator's view, for seeding and for inspecting the raw table
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "drift-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		ctx := context.Background()
		if fnConfig, err = s.RoleConfig(ctx, "DriftFunctionRole"); err != nil {
			return err
		}
		if sessions, err = s.TenantSessions(ctx, "DriftFunctionRole"); err != nil {
			return err
		}
		operator = dynamodb.NewFromConfig(s.OperatorConfig())
		return nil
	})
}

// The integration tests' windows: a run at t0 (20 minutes past midnight)
// compares Sep 30 with Sep 23-29.
var t0 = recentEnd.Add(20 * time.Minute)

// clock is a movable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock       { return &clock{now: t} }
func (c *clock) Now() time.Time         { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time)        { c.mu.Lock(); c.now = t; c.mu.Unlock() }
func (c *clock) Func() func() time.Time { return c.Now }

// newJob returns a job as the function builds it, on clk, reading each
// window in day slices (fewer queries than the 6-hour default; the
// windows are the defaults). Options adjust its config.
func newJob(t *testing.T, clk *clock, logs *bytes.Buffer, opts ...func(*drift.Config)) *drift.Job {
	t.Helper()
	cfg := drift.Config{
		Table:    stack.TableName,
		Registry: dynamodb.NewFromConfig(fnConfig),
		Tenants:  sessions,
		Traces:   trace.NewStore(stack.TableName, clk.Func()),
		Feedback: feedback.NewStore(stack.TableName, feedback.WithClock(clk.Func())),
		Clock:    clk.Func(),
		Slice:    24 * time.Hour,
	}
	if logs != nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	for _, o := range opts {
		o(&cfg)
	}
	job, err := drift.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// runToEnd runs job until its pass completes and sums the reports.
func runToEnd(t *testing.T, job *drift.Job) (drift.Report, int) {
	t.Helper()
	var sum drift.Report
	for i := 1; i <= 1000; i++ {
		rep, err := job.Run(context.Background())
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		sum.Orgs += rep.Orgs
		sum.Models += rep.Models
		sum.Detected += rep.Detected
		sum.Flags += rep.Flags
		sum.Failed = append(sum.Failed, rep.Failed...)
		if rep.Done {
			sum.Done = true
			return sum, i
		}
	}
	t.Fatal("the pass never completed")
	return sum, 0
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

// seeded is what seed wrote for one model: the n each metric should see.
type seeded struct {
	model                string
	refPriced, recPriced int // successful, priced, non-estimated calls
	refScored, recScored int
	refCalls, recCalls   int
}

// seed records a model's traffic through org's session: ref calls spread
// over the reference window from before, rec calls over the recent window
// from after, with their feedback scores.
func seed(t *testing.T, sc *tenant.Scoped, org, model string, before, after stream, ref, rec int, seedN uint64) seeded {
	t.Helper()
	rng := rand.New(rand.NewPCG(seedN, 7))
	prov, name, _ := strings.Cut(model, "/")
	out := seeded{model: model, refCalls: ref, recCalls: rec}
	type item struct {
		tr    trace.Trace
		score float64
		rated bool
	}
	var items []item
	add := func(st stream, n int, from time.Time, span time.Duration, priced, scored *int) {
		for i := range n {
			tr, score, rated := st.call(rng, i)
			tr.ID, tr.Org, tr.Workspace, tr.Source = id.New(id.Trace), org, "ws_00000000000000000000", "ingest"
			tr.Provider, tr.Model = prov, name
			tr.Time = from.Add(span * time.Duration(2*i+1) / time.Duration(2*n))
			if tr.Status == trace.StatusOK && !tr.Unpriced && !tr.Estimated {
				*priced++
			}
			if rated {
				*scored++
			}
			items = append(items, item{tr, score, rated})
		}
	}
	add(before, ref, refBeg, recentBeg.Sub(refBeg), &out.refPriced, &out.refScored)
	add(after, rec, recentBeg, recentEnd.Sub(recentBeg), &out.recPriced, &out.recScored)

	traces := trace.NewStore(stack.TableName, nil)
	fb := feedback.NewStore(stack.TableName)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, len(items))
	sem := make(chan struct{}, 16)
	for _, it := range items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if _, err := traces.Record(ctx, sc.DynamoDB, &it.tr, 90*24*time.Hour); err != nil {
				errs <- err
				return
			}
			if it.rated {
				errs <- fb.Put(ctx, sc.DynamoDB, org, feedback.Score{TraceID: it.tr.ID, Workspace: it.tr.Workspace,
					Value: it.score, Source: feedback.SourceIngest, Time: it.tr.Time.Add(time.Minute)})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// rawFlags reads a flag partition straight from the table.
func rawFlags(t *testing.T, org string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := operator.Query(context.Background(), &dynamodb.QueryInput{
		TableName:                 aws.String(stack.TableName),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(drift.FlagsPK(org))},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Items
}
