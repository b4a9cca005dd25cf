package budget_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/budget"
)

// An evaluation run's lifetime cap and its workspace's monthly eval budget
// ride on the same transaction as the org's and workspace's caps: under
// concurrency, settled plus reserved never passes either, and a month
// rolling over does not reset the lifetime counter.
func TestExtraCapsHoldUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	extra := []budget.Cap{
		{Scope: "run_a", Label: "this evaluation run's", Cap: 10_000, Lifetime: true},
		{Scope: "eval:" + f.ws, Label: "this workspace's evaluation", Cap: 50_000},
	}
	var granted atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := f.req(1_000, budget.Limits{})
			r.Extra = extra
			res, err := f.gate.Reserve(ctx, f.db, r)
			if err != nil {
				if e := apperr.As(err); e == nil || e.Kind != apperr.BudgetExhausted {
					t.Error(err)
				}
				return
			}
			granted.Add(1)
			if err := f.gate.Settle(ctx, f.db, res, budget.Outcome{Cost: 900}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	run, err := f.gate.ReadLifetime(ctx, f.scoped.DynamoDB, f.org, "run_a")
	if err != nil {
		t.Fatal(err)
	}
	if run.Spent != pricingNano(granted.Load()*900) || run.Spent+run.Reserved > 10_000 || run.Reserved != 0 {
		t.Fatalf("run counter %+v after %d grants", run, granted.Load())
	}
	if granted.Load() < 10 { // 1,000 held each, 900 settled: at least ten fit
		t.Fatalf("only %d of 16 granted under a 10,000 cap", granted.Load())
	}
	// Next month the monthly eval budget is fresh, the run's cap is not.
	f.clock.Advance(32 * 24 * time.Hour)
	r := f.req(2_000, budget.Limits{})
	r.Extra = extra
	_, err = f.gate.Reserve(ctx, f.db, r)
	if e := apperr.As(err); e == nil || e.Kind != apperr.BudgetExhausted || e.RetryAfter != 0 {
		t.Fatalf("lifetime cap after a month: %v", err)
	}
	r.Extra = extra[1:]
	if _, err := f.gate.Reserve(ctx, f.db, r); err != nil {
		t.Fatalf("the monthly eval budget rolled over: %v", err)
	}
	r.Extra = []budget.Cap{{Scope: f.ws, Cap: 1}}
	if _, err := f.gate.Reserve(ctx, f.db, r); apperr.As(err).Code != "invalid_reservation" {
		t.Fatalf("an extra cap shadowing the workspace counter: %v", err)
	}
}
