package evalrun_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
)

func TestStateMachine(t *testing.T) {
	for _, c := range []struct {
		from, to evalrun.State
		ok       bool
	}{
		{evalrun.Pending, evalrun.Running, true},
		{evalrun.Pending, evalrun.Cancelled, true},
		{evalrun.Pending, evalrun.Completed, false},
		{evalrun.Running, evalrun.Completed, true},
		{evalrun.Running, evalrun.AbortedByCap, true},
		{evalrun.Running, evalrun.Cancelled, true},
		{evalrun.Running, evalrun.Pending, false},
		{evalrun.Completed, evalrun.Running, false},
		{evalrun.Cancelled, evalrun.Running, false},
		{evalrun.AbortedByCap, evalrun.Completed, false},
	} {
		if got := evalrun.Allowed(c.from, c.to); got != c.ok {
			t.Errorf("%s → %s: %v", c.from, c.to, got)
		}
	}
	for _, s := range []evalrun.State{evalrun.Completed, evalrun.Cancelled, evalrun.AbortedByCap, evalrun.Failed} {
		if !s.Final() {
			t.Errorf("%s is final", s)
		}
	}
}

func newRun(t *testing.T, st *evalrun.Store, org string, db evalrun.DB, items, capNano int64) evalrun.Run {
	t.Helper()
	r, err := st.Create(context.Background(), db, evalrun.Run{Org: org, Workspace: "ws_00000000000000000000",
		Baseline: "openai/gpt-4o", Candidate: "openai/gpt-4o-mini", Source: "dataset:ds_x", Scorer: "exact",
		Items: items, CapNano: capNano, EstimateNano: capNano / 2})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTransitionsAreRecordedAndRaceSafe(t *testing.T) {
	org, sc := newOrg(t)
	ctx := context.Background()
	st := evalrun.New(stack.TableName, nil)
	if _, err := st.Create(ctx, sc.DynamoDB, evalrun.Run{Org: org}); codeOf(err) != "invalid_run" {
		t.Fatalf("incomplete run: %v", err)
	}
	r := newRun(t, st, org, sc.DynamoDB, 10, 1_000_000)
	if err := st.Move(ctx, sc.DynamoDB, org, r.ID, evalrun.Pending, evalrun.Completed, "skip"); codeOf(err) != "invalid_transition" {
		t.Fatalf("pending → completed: %v", err)
	}
	// Two workers start the run at once: exactly one moves it.
	var wins, conflicts atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := st.Move(ctx, sc.DynamoDB, org, r.ID, evalrun.Pending, evalrun.Running, "worker started")
			switch codeOf(err) {
			case "":
				wins.Add(1)
			case "run_state_changed":
				conflicts.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 || conflicts.Load() != 1 {
		t.Fatalf("wins %d conflicts %d", wins.Load(), conflicts.Load())
	}
	if err := st.Move(ctx, sc.DynamoDB, org, r.ID, evalrun.Running, evalrun.Cancelled, "cancelled by usr_x"); err != nil {
		t.Fatal(err)
	}
	hist, err := st.History(ctx, sc.DynamoDB, org, r.ID)
	if err != nil || len(hist) != 3 || hist[0].To != evalrun.Pending || hist[1].To != evalrun.Running ||
		hist[2].To != evalrun.Cancelled || hist[2].Reason != "cancelled by usr_x" {
		t.Fatalf("history %+v %v", hist, err)
	}
	got, err := st.Get(ctx, sc.DynamoDB, org, r.ID)
	if err != nil || got.State != evalrun.Cancelled {
		t.Fatalf("get: %+v %v", got, err)
	}
	// Another org's session sees nothing of it: the policy refuses the key.
	_, other := newOrg(t)
	if _, err := st.Get(ctx, other.DynamoDB, org, r.ID); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("another org reading the run: %v", err)
	}
}

// Every message delivered many times at once: each item is counted and
// charged exactly once.
func TestResultsAreRecordedExactlyOnce(t *testing.T) {
	org, sc := newOrg(t)
	ctx := context.Background()
	st := evalrun.New(stack.TableName, nil)
	r := newRun(t, st, org, sc.DynamoDB, 20, 1_000_000)
	if err := st.Move(ctx, sc.DynamoDB, org, r.ID, evalrun.Pending, evalrun.Running, "start"); err != nil {
		t.Fatal(err)
	}
	var recorded atomic.Int32
	var wg sync.WaitGroup
	for d := 0; d < 3; d++ { // three deliveries of every item, concurrently
		for i := int64(0); i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := evalrun.Result{Index: i, Baseline: 1, Candidate: 0.5, CostNano: 100 + i}
				if i == 7 {
					res.Error = "upstream_failed"
				}
				ok, err := st.Record(ctx, sc.DynamoDB, org, r.ID, res)
				if err != nil {
					t.Error(err)
				}
				if ok {
					recorded.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	got, err := st.Get(ctx, sc.DynamoDB, org, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for i := int64(0); i < 20; i++ {
		want += 100 + i
	}
	if recorded.Load() != 20 || got.Scored != 19 || got.Errored != 1 || got.SpentNano != want {
		t.Fatalf("recorded %d, run %+v, want spend %d", recorded.Load(), got, want)
	}
	if done, _ := st.Done(ctx, sc.DynamoDB, org, r.ID, 3); !done {
		t.Fatal("item 3 not done")
	}
	results, err := st.Results(ctx, sc.DynamoDB, org, r.ID)
	if err != nil || len(results) != 20 || results[19].Index != 19 {
		t.Fatalf("results: %d %v", len(results), err)
	}
	if _, err := st.Record(ctx, sc.DynamoDB, org, r.ID, evalrun.Result{Index: 1, Baseline: 2}); codeOf(err) != "invalid_result" {
		t.Fatalf("score out of range: %v", err)
	}
}

// The checks a worker makes before every provider call: the run is
// running, under its cap, and the org's kill switch is off.
func TestMayCallHonoursStateCapAndKillSwitch(t *testing.T) {
	org, sc := newOrg(t)
	ctx := context.Background()
	st := evalrun.New(stack.TableName, nil)
	r := newRun(t, st, org, sc.DynamoDB, 5, 1_000)
	may := func() bool {
		t.Helper()
		ok, err := st.MayCall(ctx, sc.DynamoDB, org, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if may() {
		t.Fatal("a pending run may not call")
	}
	if err := st.Move(ctx, sc.DynamoDB, org, r.ID, evalrun.Pending, evalrun.Running, "start"); err != nil {
		t.Fatal(err)
	}
	if !may() {
		t.Fatal("a running run under its cap may call")
	}
	if err := st.SetOrgKill(ctx, sc.DynamoDB, org, true); err != nil {
		t.Fatal(err)
	}
	if may() {
		t.Fatal("the org kill switch is on")
	}
	if err := st.SetOrgKill(ctx, sc.DynamoDB, org, false); err != nil {
		t.Fatal(err)
	}
	if !may() {
		t.Fatal("the kill switch is off again")
	}
	if _, err := st.Record(ctx, sc.DynamoDB, org, r.ID, evalrun.Result{Index: 0, CostNano: 1_000}); err != nil {
		t.Fatal(err)
	}
	if may() {
		t.Fatal("a run at its cap may not call")
	}
	if err := st.Move(ctx, sc.DynamoDB, org, r.ID, evalrun.Running, evalrun.AbortedByCap, "spend reached the cap"); err != nil {
		t.Fatal(err)
	}
	// A call made before the abort still lands, so the spend adds up.
	if ok, err := st.Record(ctx, sc.DynamoDB, org, r.ID, evalrun.Result{Index: 1, CostNano: 1, Error: "run_stopped"}); !ok || err != nil {
		t.Fatalf("record after abort: %v %v", ok, err)
	}
	if got, _ := st.Get(ctx, sc.DynamoDB, org, r.ID); got.SpentNano != 1_001 || got.Errored != 1 {
		t.Fatalf("run after a late record: %+v", got)
	}
	pending := newRun(t, st, org, sc.DynamoDB, 5, 1_000)
	if _, err := st.Record(ctx, sc.DynamoDB, org, pending.ID, evalrun.Result{Index: 0}); codeOf(err) != "run_not_running" {
		t.Fatalf("record on a pending run: %v", err)
	}
	list, err := st.List(ctx, sc.DynamoDB, org, "ws_00000000000000000000", 10)
	if err != nil || len(list) != 2 || list[0].ID != pending.ID || list[1].ID != r.ID {
		t.Fatalf("list: %+v %v", list, err)
	}
}

func codeOf(err error) string {
	if e := apperr.As(err); e != nil {
		return e.Code
	}
	return ""
}
