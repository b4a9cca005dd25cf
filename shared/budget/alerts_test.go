package budget_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/budget"
)

func TestAlertsFireOncePerThresholdAndMonth(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	limits := budget.Limits{WorkspaceCap: 10_000}
	spend := func(cost int64) {
		t.Helper()
		res, err := f.gate.Reserve(ctx, f.db, f.req(cost, limits))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.gate.Settle(ctx, f.db, res, budget.Outcome{Cost: pricingNano(cost)}); err != nil {
			t.Fatal(err)
		}
	}
	a := f.gate.NewAlerter(time.Minute)
	check := func() []int {
		t.Helper()
		alerts, err := a.Check(ctx, f.scoped.DynamoDB, f.org, f.ws, []int{90, 50})
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, al := range alerts {
			got = append(got, al.Threshold)
			if al.Cap != 10_000 || al.Month != "2026-11" {
				t.Fatalf("alert %+v", al)
			}
		}
		return got
	}
	spend(4_000)
	if got := check(); len(got) != 0 {
		t.Fatalf("alerts at 40%%: %v", got)
	}
	spend(2_000) // 60%
	if got := check(); len(got) != 0 {
		t.Fatalf("read again within the minute: %v", got)
	}
	f.clock.Advance(time.Minute)
	if got := check(); len(got) != 1 || got[0] != 50 {
		t.Fatalf("alerts at 60%%: %v", got)
	}
	f.clock.Advance(time.Minute)
	if got := check(); len(got) != 0 {
		t.Fatalf("50%% fired twice: %v", got)
	}
	spend(3_500) // 95%
	f.clock.Advance(time.Minute)
	// Many instances see it at once: exactly one claims it.
	var mu sync.Mutex
	var claims []int
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			alerts, err := f.gate.NewAlerter(time.Minute).Check(ctx, f.scoped.DynamoDB, f.org, f.ws, []int{50, 90})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			for _, al := range alerts {
				claims = append(claims, al.Threshold)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(claims) != 1 || claims[0] != 90 {
		t.Fatalf("claims at 95%% across instances: %v", claims)
	}
	// No cap, no thresholds: nothing is read.
	if alerts, err := a.Check(ctx, f.scoped.DynamoDB, f.org, "org", nil); err != nil || alerts != nil {
		t.Fatalf("no thresholds: %v %v", alerts, err)
	}
}
