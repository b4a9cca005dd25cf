package drift_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/drift"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

const (
	steadyModel = "openai/gpt-4o-mini"
	pricedModel = "anthropic/claude-3-5-haiku"
)

// pricier is the steady stream at +50 % prices.
func pricier() stream {
	st := steady()
	st.PriceIn, st.PriceOut = st.PriceIn*1.5, st.PriceOut*1.5
	return st
}

// twoModels seeds an org with a steady model and one whose prices rose in
// the recent window.
func twoModels(t *testing.T, sc *tenant.Scoped, org string, seedN uint64) (steadyN, pricedN seeded) {
	t.Helper()
	steadyN = seed(t, sc, org, steadyModel, steady(), steady(), 80, 60, seedN)
	pricedN = seed(t, sc, org, pricedModel, steady(), pricier(), 80, 60, seedN+1)
	return steadyN, pricedN
}

// checkPriceFlag checks that org holds exactly the priced model's cost per
// token flag for the windows ending at recentEnd, with its n, and returns it.
func checkPriceFlag(t *testing.T, job *drift.Job, sc *tenant.Scoped, org string, want seeded) drift.Flag {
	t.Helper()
	flags, err := job.Flags().Flags(context.Background(), sc.DynamoDB, org, recentEnd.Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) != 1 {
		t.Fatalf("org %s flags: %+v, want only %s's cost per token", org, flags, pricedModel)
	}
	f := flags[0]
	if f.Model != pricedModel || f.Metric != drift.CostPerToken || f.Direction != "increase" ||
		f.ID != recentEnd.Format(time.RFC3339)+"#"+pricedModel+"#cost_per_token" {
		t.Fatalf("flag %+v", f)
	}
	if !f.Reference.Start.Equal(refBeg) || !f.Reference.End.Equal(recentBeg) || !f.Recent.Start.Equal(recentBeg) ||
		!f.Recent.End.Equal(recentEnd) {
		t.Fatalf("windows %+v / %+v", f.Reference, f.Recent)
	}
	if f.Reference.N != want.refPriced || f.Recent.N != want.recPriced {
		t.Fatalf("n %d/%d, want %d/%d", f.Reference.N, f.Recent.N, want.refPriced, want.recPriced)
	}
	if f.Statistic.Name != "welch_t" || !(f.Statistic.P < f.Statistic.Alpha) || f.Statistic.Family != 10 ||
		f.Relative < 0.3 || f.Relative > 0.7 || f.Standardized <= 0 || f.Reference.Mean <= 0 {
		t.Fatalf("evidence %+v", f)
	}
	return f
}

// Two models, one of whose prices rose: exactly its cost per token is
// flagged, with its windows and n, and a rerun (same hour, so the same
// windows) writes nothing new and leaves the first detection as it was.
func TestPriceChangeIsFlaggedOnceAndRerunsAreIdempotent(t *testing.T) {
	org, sc := newOrg(t)
	_, priced := twoModels(t, sc, org, 100)
	clk := newClock(t0)
	var logs bytes.Buffer
	job := newJob(t, clk, &logs)

	rep, _ := runToEnd(t, job)
	if rep.Models != 2 || rep.Flags != 1 || rep.Detected != 1 || len(rep.Failed) != 0 || rep.Orgs < 1 {
		t.Fatalf("first run: %+v\n%s", rep, logs.String())
	}
	first := checkPriceFlag(t, job, sc, org, priced)
	t.Logf("flag: %s %s %s=%.3g p=%.2g (alpha %.2g), %.1f → %.1f nano-USD/token (%+.0f%%), d=%.2f, n %d/%d",
		first.Model, first.Metric, first.Statistic.Name, first.Statistic.Value, first.Statistic.P, first.Statistic.Alpha,
		first.Reference.Mean, first.Recent.Mean, 100*first.Relative, first.Standardized, first.Reference.N, first.Recent.N)
	if !first.DetectedAt.Equal(t0) {
		t.Fatalf("detected at %v, want the job's clock %v", first.DetectedAt, t0)
	}
	for _, want := range []string{`"msg":"drift flagged"`, `"metric":"cost_per_token"`, `"msg":"drift pass complete"`} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("log lacks %s:\n%s", want, logs.String())
		}
	}

	clk.Set(t0.Add(35 * time.Minute)) // same hour: same windows
	rep, _ = runToEnd(t, job)
	if rep.Models != 2 || rep.Flags != 0 || rep.Detected != 1 {
		t.Fatalf("rerun: %+v", rep)
	}
	again := checkPriceFlag(t, job, sc, org, priced)
	if !again.DetectedAt.Equal(first.DetectedAt) || again.Statistic != first.Statistic {
		t.Fatalf("the rerun changed the flag: %+v → %+v", first, again)
	}
	items := rawFlags(t, org)
	if len(items) != 1 {
		t.Fatalf("%d flag items, want 1", len(items))
	}
	exp, _ := items[0]["expires_at"].(*types.AttributeValueMemberN)
	if want := recentEnd.Add(drift.DefaultFlagTTL).Unix(); exp == nil || exp.Value != itoa(want) {
		t.Fatalf("expires_at %v, want %d", items[0]["expires_at"], want)
	}
}

// A job whose bound allows one unit of work stops after it and leaves the
// rest in the checkpoint; the next invocation resumes there (no model is
// compared twice) and finishes; the Also step runs once per org, after
// its drift. A deadline closer than Margin bounds a run the same way.
func TestBoundedRunStopsAndResumes(t *testing.T) {
	type orgSeed struct {
		org    string
		sc     *tenant.Scoped
		priced seeded
	}
	var orgs []orgSeed
	for i := range 2 {
		org, sc := newOrg(t)
		_, priced := twoModels(t, sc, org, uint64(200+10*i))
		orgs = append(orgs, orgSeed{org, sc, priced})
	}
	clk := newClock(t0)
	var mu sync.Mutex
	also := map[string]int{}
	var alsoErr error
	var full *drift.Job
	hook := func(ctx context.Context, org string, scoped *tenant.Scoped, now time.Time) error {
		// Called with the org's own session, after its drift step.
		flags, err := full.Flags().Flags(ctx, scoped.DynamoDB, org, recentEnd)
		mu.Lock()
		defer mu.Unlock()
		also[org]++
		if scoped.Org != org || !now.Equal(t0) || err != nil || len(flags) != 1 {
			alsoErr = errors.Join(alsoErr, errors.New("also for "+org+": wrong session, clock, or before its drift"), err)
		}
		return nil
	}
	tiny := newJob(t, clk, nil, func(c *drift.Config) { c.MaxRun = time.Nanosecond; c.Also = hook })
	full = newJob(t, clk, nil, func(c *drift.Config) { c.Also = hook })

	rep, err := tiny.Run(context.Background())
	if err != nil || rep.Done || rep.Models > 1 {
		t.Fatalf("a one-unit run: %+v %v", rep, err)
	}
	models := rep.Models
	// A deadline inside Margin: one more unit, then stop.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	margined := newJob(t, clk, nil, func(c *drift.Config) { c.Margin = time.Hour; c.Also = hook })
	rep, err = margined.Run(ctx)
	if err != nil || rep.Done || rep.Models > 1 {
		t.Fatalf("a run inside its margin: %+v %v", rep, err)
	}
	models += rep.Models
	// Then one-unit invocations for a while, and a full one to finish.
	invocations := 2
	for range 3 {
		rep, err := tiny.Run(context.Background())
		if err != nil || rep.Done {
			t.Fatalf("one-unit run: %+v %v", rep, err)
		}
		models += rep.Models
		invocations++
	}
	sum, n := runToEnd(t, full)
	models += sum.Models
	invocations += n
	if models != 4 || !sum.Done || len(sum.Failed) != 0 {
		t.Fatalf("after %d invocations: %d models compared, want each of the 4 once (%+v)", invocations, models, sum)
	}
	for _, o := range orgs {
		checkPriceFlag(t, full, o.sc, o.org, o.priced)
		if also[o.org] != 1 {
			t.Fatalf("also ran %d times for %s", also[o.org], o.org)
		}
	}
	if alsoErr != nil {
		t.Fatal(alsoErr)
	}
	t.Logf("%d invocations, %d models compared", invocations, models)
}

// An org's flags are written only under its own partition, through its own
// session: a job that hands one org's session to another org's work is
// refused by TenantRole's policy (the org fails, nothing leaks), and the
// function's own role can neither read nor write flags.
func TestOrgsAreIsolated(t *testing.T) {
	orgA, scA := newOrg(t)
	_, pricedA := twoModels(t, scA, orgA, 300)
	orgC, scC := newOrg(t)
	rated := steady()
	rated.ScoredFrac, rated.Thumbs = 1, 0 // every call graded
	worse := rated
	worse.ScoreShift = -0.15
	seed(t, scC, orgC, steadyModel, rated, worse, 150, 100, 400)
	clk := newClock(t0)

	// A job bug: org C's work gets org A's session.
	swapped := newJob(t, clk, nil, func(c *drift.Config) {
		c.Tenants = tenantsFunc(func(ctx context.Context, org string) (*tenant.Scoped, error) {
			if org == orgC {
				org = orgA
			}
			return sessions.For(ctx, org)
		})
	})
	rep, _ := runToEnd(t, swapped)
	if len(rep.Failed) != 1 || rep.Failed[0] != orgC {
		t.Fatalf("with swapped sessions: %+v, want org C to fail", rep)
	}
	if n := len(rawFlags(t, orgC)); n != 0 {
		t.Fatalf("%d flags under org C", n)
	}

	job := newJob(t, clk, nil)
	if rep, _ := runToEnd(t, job); len(rep.Failed) != 0 {
		t.Fatalf("%+v", rep)
	}
	checkPriceFlag(t, job, scA, orgA, pricedA)
	flagsC, err := job.Flags().Flags(context.Background(), scC.DynamoDB, orgC, recentEnd)
	if err != nil || len(flagsC) != 1 || flagsC[0].Metric != drift.Score || flagsC[0].Model != steadyModel ||
		flagsC[0].Direction != "decrease" || flagsC[0].Recent.N < 90 || flagsC[0].Reference.N < 140 {
		t.Fatalf("org C flags %+v %v, want its score drop (feedback joined by trace ID)", flagsC, err)
	}
	t.Logf("org C: score %.3f → %.3f, d=%.2f, p=%.2g, n %d/%d", flagsC[0].Reference.Mean, flagsC[0].Recent.Mean,
		flagsC[0].Standardized, flagsC[0].Statistic.P, flagsC[0].Reference.N, flagsC[0].Recent.N)
	for org, want := range map[string]string{orgA: "cost_per_token", orgC: "score"} {
		items := rawFlags(t, org)
		if len(items) != 1 || !strings.HasSuffix(items[0]["sk"].(*types.AttributeValueMemberS).Value, want) {
			t.Fatalf("partition of %s: %v", org, items)
		}
	}

	// One org's session cannot read another's flags.
	if _, err := job.Flags().Flags(context.Background(), scA.DynamoDB, orgC, recentEnd); !denied(err) {
		t.Fatalf("org A reading org C's flags: %v", err)
	}
	// The function's own role reaches neither.
	fn := dynamodb.NewFromConfig(fnConfig)
	ctx := context.Background()
	if _, err := job.Flags().Flags(ctx, fn, orgA, recentEnd); !denied(err) {
		t.Fatalf("function role reading flags: %v", err)
	}
	if _, err := job.Flags().Put(ctx, fn, orgA, drift.Flag{Model: "x/y", Metric: drift.Latency,
		Recent: drift.Side{End: recentEnd.Add(time.Hour)}}); !denied(err) {
		t.Fatalf("function role writing a flag: %v", err)
	}
	if _, err := fn.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(stack.TableName),
		Key: map[string]types.AttributeValue{"pk": s("ORG#" + orgA), "sk": s("ORG")}}); !denied(err) {
		t.Fatalf("function role reading a tenant item: %v", err)
	}
}

type tenantsFunc func(ctx context.Context, org string) (*tenant.Scoped, error)

func (f tenantsFunc) For(ctx context.Context, org string) (*tenant.Scoped, error) { return f(ctx, org) }

func denied(err error) bool { return err != nil && strings.Contains(err.Error(), "AccessDenied") }

// Flags lists an org's flags newest window first, from since on.
func TestFlagsListNewestFirst(t *testing.T) {
	org, sc := newOrg(t)
	st := drift.NewStore(stack.TableName, func() time.Time { return t0 })
	ctx := context.Background()
	for h := range 3 {
		end := recentEnd.Add(time.Duration(h) * time.Hour)
		for _, m := range []drift.Metric{drift.Latency, drift.CostPerToken} {
			created, err := st.Put(ctx, sc.DynamoDB, org, drift.Flag{Model: steadyModel, Metric: m, Recent: drift.Side{End: end}})
			if err != nil || !created {
				t.Fatal(created, err)
			}
		}
	}
	got, err := st.Flags(ctx, sc.DynamoDB, org, recentEnd.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range got {
		ids = append(ids, strings.TrimPrefix(f.ID, "2026-10-01T"))
	}
	want := "02:00:00Z#openai/gpt-4o-mini#cost_per_token 02:00:00Z#openai/gpt-4o-mini#latency " +
		"01:00:00Z#openai/gpt-4o-mini#cost_per_token 01:00:00Z#openai/gpt-4o-mini#latency"
	if strings.Join(ids, " ") != want {
		t.Fatalf("listed %v", ids)
	}
	// Past their TTL, flags are hidden before DynamoDB's TTL removes them.
	late := drift.NewStore(stack.TableName, func() time.Time { return recentEnd.Add(drift.DefaultFlagTTL + 90*time.Minute) })
	if got, err := late.Flags(ctx, sc.DynamoDB, org, recentEnd); err != nil || len(got) != 2 {
		t.Fatalf("after the first two windows' TTL: %d flags %v", len(got), err)
	}
}

// A checkpoint naming a step this version does not know starts that org
// over rather than skipping its work.
func TestUnknownCheckpointStepStartsTheOrgOver(t *testing.T) {
	org, sc := newOrg(t)
	_, priced := twoModels(t, sc, org, 500)
	if _, err := operator.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(stack.TableName),
		Item: map[string]types.AttributeValue{"pk": s(drift.CheckpointPK), "sk": s("CHECKPOINT"),
			"org": s(org), "step": s("compact-v9"), "window_end": &types.AttributeValueMemberN{Value: itoa(recentEnd.Unix())}}}); err != nil {
		t.Fatal(err)
	}
	job := newJob(t, newClock(t0), nil)
	if rep, _ := runToEnd(t, job); rep.Models < 2 || len(rep.Failed) != 0 {
		t.Fatalf("%+v", rep)
	}
	checkPriceFlag(t, job, sc, org, priced)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
