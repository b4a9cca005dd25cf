package recommend_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// now is the tests' clock: mid-month, so the 30-day window is whole days.
var now = time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// fixture is one org with a workspace whose alias "default" routes to
// mock/mock-large, and a stream of that alias's traffic.
type fixture struct {
	org, ws    string
	sc         *tenant.Scoped
	workspaces *workspace.Store
	runs       *evalrun.Store
	recs       *recommend.Store
	decider    *recommend.Decider
	actions    *recommend.Actions
	aliasCost  int64
}

func newFixture(t *testing.T, marginBP int64) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{org: id.New(id.Org), ws: id.New(id.Workspace)}
	f.sc = scoped(t, admins, f.org)
	f.workspaces = workspace.NewStore(workspace.Config{Table: stack.TableName, Clock: clock})
	f.runs = evalrun.New(stack.TableName, clock)
	f.recs = recommend.NewStore(stack.TableName, clock)
	traces := trace.NewStore(stack.TableName, clock)
	f.decider = &recommend.Decider{Store: f.recs, Runs: f.runs, Aggregates: traces, Settings: f.workspaces, Clock: clock}
	f.actions = &recommend.Actions{Store: f.recs, Aliases: f.workspaces, Clock: clock}
	if err := f.workspaces.PutSettings(ctx, f.sc.DynamoDB, f.org, f.ws, workspace.Settings{Name: "team", MarginBP: marginBP}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.workspaces.SaveAlias(ctx, f.sc.DynamoDB, f.org, f.ws, "default",
		[]workspace.Target{{Connection: "mock", Model: "mock-large"}, {Connection: "mock", Model: "mock-small"}}, "usr_test", now); err != nil {
		t.Fatal(err)
	}
	// 20 days of the alias's traffic inside the window, one day outside it
	// and another workspace's alias of the same name: only the first counts.
	for day := 1; day <= 21; day++ {
		for i := 0; i < 5; i++ {
			at := now.Truncate(24*time.Hour).AddDate(0, 0, -day).Add(time.Duration(i) * time.Hour)
			tr := &trace.Trace{ID: id.New(id.Trace), Org: f.org, Workspace: f.ws, Source: "gateway", Time: at, Alias: "default",
				Provider: "mock", Model: "mock-large", Status: trace.StatusOK, CostNano: 10_000, LatencyMS: 100}
			if day == 21 {
				tr.Time = now.Truncate(24*time.Hour).AddDate(0, 0, -31)
			} else {
				f.aliasCost += tr.CostNano
			}
			if _, err := traces.Record(ctx, f.sc.DynamoDB, tr, 90*24*time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		other := &trace.Trace{ID: id.New(id.Trace), Org: f.org, Workspace: id.New(id.Workspace), Source: "gateway",
			Time: now.AddDate(0, 0, -day), Alias: "default", Provider: "mock", Model: "mock-large", Status: trace.StatusOK, CostNano: 99_999}
		if _, err := traces.Record(ctx, f.sc.DynamoDB, other, 90*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// newRun creates a running run of items items for the alias.
func (f *fixture) newRun(t *testing.T, items int64) evalrun.Run {
	t.Helper()
	ctx := context.Background()
	r, err := f.runs.Create(ctx, f.sc.DynamoDB, evalrun.Run{Org: f.org, Workspace: f.ws, Baseline: "default", BaselineTarget: "mock/mock-large",
		Alias: "default", Candidate: "mock/mock-medium", Source: "dataset:ds_x", Scorer: "exact", Items: items, CapNano: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.runs.Move(ctx, f.sc.DynamoDB, f.org, r.ID, evalrun.Pending, evalrun.Running, "test"); err != nil {
		t.Fatal(err)
	}
	r.State = evalrun.Running
	return r
}

// record stores results [from, to): every item agrees (difference 0),
// the baseline costing 1000 and the candidate 200 nano-USD.
func (f *fixture) record(t *testing.T, run evalrun.Run, from, to int64) {
	t.Helper()
	for i := from; i < to; i++ {
		res := evalrun.Result{Index: i, Baseline: 1, Candidate: 1, BaselineNano: 1000, CandidateNano: 200, CostNano: 1200,
			BaselineLatencyMS: 300, CandidateLatencyMS: 100}
		if _, err := f.runs.Record(context.Background(), f.sc.DynamoDB, f.org, run.ID, res); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDecideCreatesOneRecommendationPerRun(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	run := f.newRun(t, 300)
	wsc := scoped(t, workers, f.org)

	f.record(t, run, 0, 150)
	out, err := f.decider.Decide(ctx, wsc.DynamoDB, run, false)
	if err != nil || out.NonInferior || out.Recommendation != nil {
		t.Fatalf("150 items must not recommend: %+v %v", out, err)
	}
	f.record(t, run, 150, 300)

	// Four workers finishing chunks at once: exactly one creates it.
	var wg sync.WaitGroup
	outs := make([]recommend.Outcome, 4)
	errs := make([]error, 4)
	for i := range outs {
		wg.Add(1)
		go func() { defer wg.Done(); outs[i], errs[i] = f.decider.Decide(ctx, wsc.DynamoDB, run, false) }()
	}
	wg.Wait()
	created, ids := 0, map[string]bool{}
	for i, o := range outs {
		if errs[i] != nil || o.Recommendation == nil {
			t.Fatalf("decide %d: %+v %v", i, o, errs[i])
		}
		ids[o.Recommendation.ID] = true
		if o.Created {
			created++
		}
	}
	if created != 1 || len(ids) != 1 {
		t.Fatalf("%d created, %d distinct recommendations", created, len(ids))
	}
	list, err := f.recs.List(ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %d %v", len(list), err)
	}
	r := list[0]
	ev, c := r.Evidence, r.Cost
	if r.State != recommend.Open || r.Alias != "default" || r.Baseline != "mock/mock-large" || r.Candidate != "mock/mock-medium" ||
		!ids[r.ID] || len(r.ID) != len(recommend.IDPrefix)+id.RandomLen {
		t.Fatalf("recommendation: %+v", r)
	}
	if ev.N != 300 || ev.MeanDiff != 0 || ev.Lower <= -0.05 || ev.Delta != 0.05 || ev.Alpha != 0.05 || ev.MinN != 100 || ev.Final {
		t.Fatalf("evidence: %+v", ev)
	}
	wantMonthly := f.aliasCost * 30 / 30
	if c.BaselinePerRequestNano != 1000 || c.CandidatePerRequestNano != 200 || c.AliasRequests != 100 ||
		c.AliasCostNano != f.aliasCost || c.MonthlyCost != wantMonthly || c.ProjectedNano != wantMonthly-wantMonthly*200/1000 {
		t.Fatalf("cost: %+v (alias cost %d)", c, f.aliasCost)
	}
	if c.BaselineLatencyMS != 300 || c.CandidateLatencyMS != 100 {
		t.Fatalf("latency: %+v", c)
	}

	// The final decision refreshes the open recommendation's numbers.
	out, err = f.decider.Decide(ctx, wsc.DynamoDB, run, true)
	if err != nil || out.Created || out.Recommendation == nil || !out.Recommendation.Evidence.Final {
		t.Fatalf("final: %+v %v", out, err)
	}
	hist, err := f.recs.History(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID)
	if err != nil || len(hist) != 1 || hist[0].To != recommend.Open {
		t.Fatalf("history: %+v %v", hist, err)
	}
}

func TestDecideUsesTheWorkspaceMargin(t *testing.T) {
	f := newFixture(t, 100) // δ = 0.01: 300 agreeing items are not enough
	run := f.newRun(t, 300)
	f.record(t, run, 0, 300)
	out, err := f.decider.Decide(context.Background(), scoped(t, workers, f.org).DynamoDB, run, true)
	if err != nil || out.NonInferior || out.Recommendation != nil || out.Evidence.Delta != 0.01 {
		t.Fatalf("%+v %v", out, err)
	}
}

func TestDecideRefusesACandidateThatIsNotCheaper(t *testing.T) {
	f := newFixture(t, 0)
	run := f.newRun(t, 300)
	for i := int64(0); i < 300; i++ {
		res := evalrun.Result{Index: i, Baseline: 1, Candidate: 1, BaselineNano: 200, CandidateNano: 1000}
		if _, err := f.runs.Record(context.Background(), f.sc.DynamoDB, f.org, run.ID, res); err != nil {
			t.Fatal(err)
		}
	}
	out, err := f.decider.Decide(context.Background(), f.sc.DynamoDB, run, true)
	if err != nil || out.NonInferior || out.Recommendation != nil {
		t.Fatalf("%+v %v", out, err)
	}
}

// applied returns an open recommendation of a fresh fixture.
func applied(t *testing.T) (*fixture, recommend.Recommendation) {
	t.Helper()
	f := newFixture(t, 0)
	run := f.newRun(t, 250)
	f.record(t, run, 0, 250)
	out, err := f.decider.Decide(context.Background(), f.sc.DynamoDB, run, true)
	if err != nil || out.Recommendation == nil {
		t.Fatalf("%+v %v", out, err)
	}
	return f, *out.Recommendation
}

func targets(t *testing.T, f *fixture) (int64, []string) {
	t.Helper()
	list, err := f.workspaces.ListAliases(context.Background(), f.sc.DynamoDB, f.org, f.ws)
	if err != nil || len(list) != 1 {
		t.Fatalf("aliases: %+v %v", list, err)
	}
	var out []string
	for _, tg := range list[0].Targets {
		out = append(out, tg.String())
	}
	return list[0].Version, out
}

func TestApplyThenRollback(t *testing.T) {
	f, r := applied(t)
	ctx := context.Background()
	got, alias, err := f.actions.Apply(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", true)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != recommend.Applied || got.Apply == nil || got.Apply.Version != 2 || got.Apply.Previous != 1 ||
		!got.Apply.AutoRollback || got.Apply.By != "usr_admin" || alias.Version != 2 {
		t.Fatalf("applied: %+v %+v", got, alias)
	}
	if v, ts := targets(t, f); v != 2 || len(ts) != 3 || ts[0] != "mock/mock-medium" || ts[1] != "mock/mock-large" || ts[2] != "mock/mock-small" {
		t.Fatalf("alias after apply: v%d %v", v, ts)
	}
	hist, err := f.workspaces.AliasHistory(ctx, f.sc.DynamoDB, f.org, f.ws, "default")
	if err != nil || hist[0].Version != 2 || hist[0].Cites != r.ID || hist[0].Actor != "usr_admin" {
		t.Fatalf("alias history: %+v %v", hist, err)
	}
	live, err := f.recs.Live(ctx, f.sc.DynamoDB, f.org)
	if err != nil || len(live) != 1 || live[0].ID != r.ID {
		t.Fatalf("live: %+v %v", live, err)
	}
	if _, _, err := f.actions.Apply(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", false); !errors.Is(err, recommend.ErrChanged) {
		t.Fatalf("second apply: %v", err)
	}

	back, alias, err := f.actions.Rollback(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", "worse in production")
	if err != nil {
		t.Fatal(err)
	}
	if back.State != recommend.RolledBack || back.Rollback == nil || back.Rollback.To != 1 || back.Rollback.Version != 3 ||
		back.Rollback.Reason != "worse in production" || alias.Version != 3 {
		t.Fatalf("rolled back: %+v %+v", back, alias)
	}
	if v, ts := targets(t, f); v != 3 || len(ts) != 2 || ts[0] != "mock/mock-large" || ts[1] != "mock/mock-small" {
		t.Fatalf("alias after rollback: v%d %v", v, ts)
	}
	live, err = f.recs.Live(ctx, f.sc.DynamoDB, f.org)
	if err != nil || len(live) != 0 {
		t.Fatalf("live after rollback: %+v %v", live, err)
	}
	states, err := f.recs.History(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID)
	if err != nil || len(states) != 3 || states[1].To != recommend.Applied || states[2].To != recommend.RolledBack ||
		states[2].Reason != "worse in production" {
		t.Fatalf("history: %+v %v", states, err)
	}
	if _, _, err := f.actions.Rollback(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", "again"); !errors.Is(err, recommend.ErrChanged) {
		t.Fatalf("second rollback: %v", err)
	}
}

func TestApplyRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("alias moved since the evaluation", func(t *testing.T) {
		f, r := applied(t)
		if _, err := f.workspaces.SaveAlias(ctx, f.sc.DynamoDB, f.org, f.ws, "default",
			[]workspace.Target{{Connection: "mock", Model: "mock-small"}}, "usr_other", now); err != nil {
			t.Fatal(err)
		}
		_, _, err := f.actions.Apply(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", false)
		if apperr.As(err).Code != "alias_moved" {
			t.Fatalf("got %v", err)
		}
		if v, _ := targets(t, f); v != 2 {
			t.Fatalf("alias changed by a refused apply: v%d", v)
		}
		if got, _ := f.recs.Get(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID); got.State != recommend.Open {
			t.Fatalf("state %s", got.State)
		}
	})
	t.Run("rollback after someone else's edit", func(t *testing.T) {
		f, r := applied(t)
		if _, _, err := f.actions.Apply(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.workspaces.SaveAlias(ctx, f.sc.DynamoDB, f.org, f.ws, "default",
			[]workspace.Target{{Connection: "mock", Model: "mock-small"}}, "usr_other", now); err != nil {
			t.Fatal(err)
		}
		_, _, err := f.actions.Rollback(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", "undo")
		if apperr.As(err).Code != "alias_changed_since_apply" {
			t.Fatalf("got %v", err)
		}
		if v, ts := targets(t, f); v != 3 || ts[0] != "mock/mock-small" {
			t.Fatalf("someone else's edit was undone: v%d %v", v, ts)
		}
	})
	t.Run("dismissed", func(t *testing.T) {
		f, r := applied(t)
		d, err := f.actions.Dismiss(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", "not now")
		if err != nil || d.State != recommend.Dismissed {
			t.Fatalf("%+v %v", d, err)
		}
		if _, _, err := f.actions.Apply(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", false); !errors.Is(err, recommend.ErrChanged) {
			t.Fatalf("apply after dismiss: %v", err)
		}
	})
	t.Run("no alias", func(t *testing.T) {
		f := newFixture(t, 0)
		r, _, err := f.recs.Create(ctx, f.sc.DynamoDB, recommend.Recommendation{Org: f.org, Workspace: f.ws, Run: "run_y",
			Baseline: "mock/mock-large", Candidate: "mock/mock-medium", Scorer: "exact"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.actions.Apply(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", false); !errors.Is(err, recommend.ErrNoAlias) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("another workspace's recommendation", func(t *testing.T) {
		f, r := applied(t)
		_, _, err := f.actions.Apply(ctx, f.sc.DynamoDB, f.org, id.New(id.Workspace), r.ID, "usr_admin", false)
		if !errors.Is(err, recommend.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestRollbackFinishesAnInterruptedOne: an earlier rollback saved the
// alias but could not mark the recommendation; rolling back again
// finishes it without a second alias version.
func TestRollbackFinishesAnInterruptedOne(t *testing.T) {
	f, r := applied(t)
	ctx := context.Background()
	got, _, err := f.actions.Apply(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "usr_admin", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.workspaces.RollbackAliasChange(ctx, f.sc.DynamoDB, f.org, f.ws, "default", got.Apply.Previous,
		workspace.AliasChange{Actor: "system:verification", Cites: r.ID, IfVersion: got.Apply.Version}, now); err != nil {
		t.Fatal(err)
	}
	back, alias, err := f.actions.Rollback(ctx, f.sc.DynamoDB, f.org, f.ws, r.ID, "system:verification", "regressed")
	if err != nil || back.State != recommend.RolledBack || alias.Version != 3 || back.Rollback.Version != 3 {
		t.Fatalf("%+v %+v %v", back, alias, err)
	}
	if v, ts := targets(t, f); v != 3 || ts[0] != "mock/mock-large" {
		t.Fatalf("alias: v%d %v", v, ts)
	}
}
