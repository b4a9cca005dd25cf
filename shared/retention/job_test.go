package retention_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/retention"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

func TestOptedInTextIsRedactedAfterTheWindowNotBefore(t *testing.T) {
	org, sc := newOrg(t)
	window := t0.Add(30 * 24 * time.Hour)
	traces := record(t, sc, org, 3, t0, 90*24*time.Hour, window)
	clk := newClock(window.Add(-time.Minute))
	job := newJob(clk, nil)

	content := func() int {
		n := 0
		for _, it := range rawTraces(t, org, t0) {
			if _, ok := it["sealed_content"]; ok {
				n++
			}
		}
		return n
	}
	if rep := runToEnd(t, job); rep.Redacted != 0 || content() != 3 {
		t.Fatalf("a minute before the window: redacted %d, %d traces keep content", rep.Redacted, content())
	}
	clk.Set(window.Add(time.Minute))
	if rep := runToEnd(t, job); rep.Redacted != 3 || content() != 0 {
		t.Fatalf("a minute after the window: redacted %d, %d traces keep content", rep.Redacted, content())
	}
	if rep := runToEnd(t, job); rep.Redacted != 0 {
		t.Fatalf("a rerun redacted %d again", rep.Redacted)
	}
	// The metadata stays: only the text went.
	listed, _, err := trace.NewStore(stack.TableName, clk.Func()).List(context.Background(), sc.DynamoDB, org,
		trace.Query{From: t0.Add(-time.Minute), To: t0.Add(time.Minute)})
	if err != nil || len(listed) != len(traces) {
		t.Fatalf("traces after redaction: %d %v", len(listed), err)
	}
}

func TestTracesPastRetentionAreDeleted(t *testing.T) {
	org, sc := newOrg(t)
	record(t, sc, org, 30, t0, 24*time.Hour, time.Time{})    // a 1-day workspace
	record(t, sc, org, 10, t0, 90*24*time.Hour, time.Time{}) // a 90-day workspace, same day
	var logs bytes.Buffer
	clk := newClock(t0.Add(12 * time.Hour))
	job := newJob(clk, &logs)

	if rep := runToEnd(t, job); rep.Deleted != 0 || len(rawTraces(t, org, t0)) != 40 {
		t.Fatalf("within retention: deleted %d", rep.Deleted)
	}
	clk.Set(t0.Add(48 * time.Hour)) // the 1-day traces' expiry day is over
	if rep := runToEnd(t, job); rep.Deleted != 30 {
		t.Fatalf("deleted %d, want the 30 one-day traces", rep.Deleted)
	}
	left := rawTraces(t, org, t0)
	for _, it := range left {
		exp, _ := strconv.ParseInt(it["expires_at"].(*types.AttributeValueMemberN).Value, 10, 64)
		if exp <= clk.Now().Unix() {
			t.Fatalf("an expired trace is still in the table: %v", it["sk"])
		}
	}
	if len(left) != 10 {
		t.Fatalf("%d traces left, want the 10 ninety-day ones", len(left))
	}
	clk.Set(t0.Add(92 * 24 * time.Hour))
	if rep := runToEnd(t, job); rep.Deleted != 10 || len(rawTraces(t, org, t0)) != 0 {
		t.Fatalf("after 90 days: deleted %d", rep.Deleted)
	}
	if groups, _ := trace.NewStore(stack.TableName, nil).ExpiredGroups(context.Background(), sc.DynamoDB, org,
		t0.AddDate(1, 0, 0)); len(groups) != 0 {
		t.Fatalf("expiry markers left behind: %v", groups)
	}
	for _, want := range []string{`"msg":"retention org done"`, `"org":"` + org + `"`, `"deleted":10`, `"msg":"retention pass complete"`} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("progress log lacks %s:\n%s", want, logs.String())
		}
	}
}

func TestExpiredReservationsAreReleased(t *testing.T) {
	org, sc := newOrg(t)
	ctx := context.Background()
	clk := newClock(t0)
	gate := budget.New(budget.Config{Table: stack.TableName, Clock: clk.Func(), HoldFor: 15 * time.Minute})
	ws := id.New(id.Workspace)
	res, err := gate.Reserve(ctx, sc.DynamoDB, budget.Request{
		Org: org, Workspace: ws, RequestID: id.New(id.Request), Cost: 5_000, Tokens: 100,
		Limits: budget.Limits{WorkspaceCap: pricing.NanoUSD(1_000_000)},
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = res // the invocation that made it "crashed": nobody settles it
	job := newJob(clk, nil)
	if rep := runToEnd(t, job); rep.Released != 0 {
		t.Fatalf("released %d while the hold lasts", rep.Released)
	}
	clk.Add(16 * time.Minute)
	if rep := runToEnd(t, job); rep.Released != 1 {
		t.Fatalf("released %d, want the crashed call's reservation", rep.Released)
	}
	spend, err := gate.Read(ctx, sc.DynamoDB, org, ws, clk.Now())
	if err != nil || spend.Reserved != 0 || spend.Available != 1_000_000 || spend.Spent != 0 {
		t.Fatalf("budget after release: %+v %v", spend, err)
	}
}

func TestExpiredTokensArePurged(t *testing.T) {
	org, sc := newOrg(t)
	ctx := context.Background()
	expired, live := putToken(t, sc, org, t0.Add(-time.Hour)), putToken(t, sc, org, t0.AddDate(1, 0, 0))
	clk := newClock(t0)
	job := newJob(clk, nil)

	if rep := runToEnd(t, job); rep.TokensPurged != 0 {
		t.Fatalf("purged %d records inside the keep period", rep.TokensPurged)
	}
	if lookupExists(t, expired) || !lookupExists(t, live) {
		t.Fatal("the expired lookup should be gone at once, the live one kept")
	}
	if !recordExists(t, sc, org, expired) {
		t.Fatal("the expired token's record should stay listed for the keep period")
	}
	clk.Add(31 * 24 * time.Hour)
	if rep := runToEnd(t, job); rep.TokensPurged != 1 {
		t.Fatalf("purged %d, want the expired token", rep.TokensPurged)
	}
	if recordExists(t, sc, org, expired) || !recordExists(t, sc, org, live) || !lookupExists(t, live) {
		t.Fatal("wrong token purged")
	}
	_ = ctx
}

// The job survives being killed at any point: rerun after rerun, each
// killed a few calls in, it still converges on exactly the state a clean
// run leaves, and a kill never loses or repeats accounted work.
func TestResumesAfterBeingKilledMidRun(t *testing.T) {
	type orgState struct {
		org string
		sc  *tenant.Scoped
	}
	var orgs []orgState
	for i := 0; i < 3; i++ {
		org, sc := newOrg(t)
		record(t, sc, org, 30, t0, 24*time.Hour, t0.Add(time.Hour))            // deleted (and due for redaction)
		record(t, sc, org, 5, t0.Add(24*time.Hour), 24*time.Hour, time.Time{}) // next day's, deleted too
		record(t, sc, org, 5, t0, 90*24*time.Hour, t0.Add(time.Hour))          // kept, redacted
		orgs = append(orgs, orgState{org, sc})
	}
	clk := newClock(t0.Add(72 * time.Hour))
	killed := 0
	for attempt := 0; ; attempt++ {
		if attempt > 500 {
			t.Fatal("never finished")
		}
		ctx, cancel := context.WithCancel(context.Background())
		job := newJob(clk, nil, func(c *retention.Config) {
			kill := killAfter(int64(12+attempt*7%40), cancel) // a different point each time
			reg := dynamodb.NewFromConfig(fnConfig, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, kill) })
			c.Registry = reg
			base := stack.Config(aws.AnonymousCredentials{})
			base.APIOptions = append(base.APIOptions, kill)
			c.Tenants = tenant.New(tenant.Config{RoleARN: stack.TenantRoleARN, Base: base, STS: sts.NewFromConfig(fnConfig)})
			c.RedactBatch = 4
		})
		rep, err := job.Run(ctx)
		cancel()
		if err == nil && rep.Complete {
			break
		}
		if err == nil || !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "canceled") {
			t.Fatalf("attempt %d: a killed run should fail with the kill, got %v (%+v)", attempt, err, rep)
		}
		killed++
	}
	if killed < 5 {
		t.Fatalf("only %d runs were killed: the test did not exercise resuming", killed)
	}
	for _, o := range orgs {
		left := rawTraces(t, o.org, t0)
		if len(left) != 5 || len(rawTraces(t, o.org, t0.Add(24*time.Hour))) != 0 {
			t.Fatalf("org %s: %d traces left on day one, want 5", o.org, len(left))
		}
		for _, it := range left {
			if _, ok := it["sealed_content"]; ok {
				t.Fatalf("org %s: content survived", o.org)
			}
		}
	}
	// A clean run afterwards finds nothing left to do.
	if rep := runToEnd(t, newJob(clk, nil)); rep.Deleted+rep.Redacted+rep.Released+rep.TokensPurged != 0 {
		t.Fatalf("work left after the killed runs: %+v", rep)
	}
}

// Each invocation stops at its time bound and the next picks up where it
// stopped; with a bound that allows one unit of work, a pass takes many
// invocations and still ends in the same state.
func TestRunIsBoundedAndResumes(t *testing.T) {
	org, sc := newOrg(t)
	record(t, sc, org, 250, t0, 24*time.Hour, time.Time{})
	clk := newClock(t0.Add(72 * time.Hour))
	job := newJob(clk, nil, func(c *retention.Config) { c.MaxRun = time.Nanosecond })
	invocations, deleted := 0, 0
	for {
		invocations++
		rep, err := job.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		deleted += rep.Deleted
		if rep.Complete {
			break
		}
		if invocations > 200 {
			t.Fatal("never completed")
		}
	}
	if invocations < 4 || deleted != 250 || len(rawTraces(t, org, t0)) != 0 {
		t.Fatalf("%d invocations deleted %d of 250", invocations, deleted)
	}
}

// The job's own role reaches only the registry, its checkpoint and token
// lookups: a bug that reads or deletes an org's items with it is refused.
func TestFunctionRoleCannotTouchTenantItems(t *testing.T) {
	org, _ := newOrg(t)
	reg := dynamodb.NewFromConfig(fnConfig)
	ctx := context.Background()
	key := map[string]types.AttributeValue{"pk": s("ORG#" + org), "sk": s("ORG")}
	if _, err := reg.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(stack.TableName), Key: key}); !denied(err) {
		t.Fatalf("get tenant item with the function role: %v", err)
	}
	if _, err := reg.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(stack.TableName), Key: key}); !denied(err) {
		t.Fatalf("delete tenant item with the function role: %v", err)
	}
	if _, err := reg.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.TableName),
		Item: map[string]types.AttributeValue{"pk": s("REGISTRY"), "sk": s("ORG#org_forged")}}); !denied(err) {
		t.Fatalf("write the registry with the function role: %v", err)
	}
}

func denied(err error) bool { return err != nil && strings.Contains(err.Error(), "AccessDenied") }

// putToken writes an org token record and its global lookup as token
// creation does, valid until until, and returns the token's hash.
func putToken(t *testing.T, sc *tenant.Scoped, org string, until time.Time) string {
	t.Helper()
	tok := auth.NewToken()
	hash := auth.Hash(tok)
	p := auth.Principal{Org: org, Workspace: id.New(id.Workspace), TokenID: id.New(id.Token), Scopes: []string{auth.ScopeInference}}
	ctx := context.Background()
	if _, err := operator.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.TableName),
		Item: auth.LookupItem(hash, p, until)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.TableName), Item: map[string]types.AttributeValue{
		"pk": s("ORG#" + org), "sk": s("TOKEN#" + hash[:16]), "hash": s(hash),
		"valid_until": &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Unix(), 10)},
	}}); err != nil {
		t.Fatal(err)
	}
	return hash
}

func lookupExists(t *testing.T, hash string) bool {
	t.Helper()
	out, err := operator.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.TableName),
		Key: map[string]types.AttributeValue{"pk": s(auth.LookupPK(hash)), "sk": s(auth.LookupSK)}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item != nil
}

func recordExists(t *testing.T, sc *tenant.Scoped, org, hash string) bool {
	t.Helper()
	out, err := sc.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.TableName),
		Key: map[string]types.AttributeValue{"pk": s("ORG#" + org), "sk": s("TOKEN#" + hash[:16])}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item != nil
}

// A checkpoint naming a step this version does not know (written by an
// older or newer job) starts that org over rather than skipping its work.
func TestUnknownCheckpointStepStartsTheOrgOver(t *testing.T) {
	org, sc := newOrg(t)
	record(t, sc, org, 3, t0, 24*time.Hour, time.Time{})
	if _, err := operator.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(stack.TableName),
		Item: map[string]types.AttributeValue{"pk": s(retention.CheckpointPK), "sk": s("CHECKPOINT"),
			"org": s(org), "step": s("compact-v9")}}); err != nil {
		t.Fatal(err)
	}
	rep := runToEnd(t, newJob(newClock(t0.Add(72*time.Hour)), nil))
	if rep.Deleted < 3 || len(rawTraces(t, org, t0)) != 0 {
		t.Fatalf("deleted %d; %d traces left", rep.Deleted, len(rawTraces(t, org, t0)))
	}
}
