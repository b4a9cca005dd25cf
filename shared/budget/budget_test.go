package budget_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/pricing"
)

func pricingNano(v int64) pricing.NanoUSD { return pricing.NanoUSD(v) }

func TestReserveAndSettle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	limits := budget.Limits{OrgCap: 10_000, WorkspaceCap: 5_000, TokenCap: 2_000}
	res, err := f.gate.Reserve(ctx, f.db, f.req(1_500, limits))
	if err != nil {
		t.Fatal(err)
	}
	for scope, want := range map[string]budget.Spend{
		"org": {Cap: 10_000, Available: 8_500, Reserved: 1_500},
		f.ws:  {Cap: 5_000, Available: 3_500, Reserved: 1_500},
		f.tok: {Cap: 2_000, Available: 500, Reserved: 1_500},
	} {
		if got := f.spend(t, scope); got != want {
			t.Errorf("%s after reserve: got %+v want %+v", scope, got, want)
		}
	}
	if err := f.gate.Settle(ctx, f.db, res, budget.Outcome{Cost: 400, Tokens: 50}); err != nil {
		t.Fatal(err)
	}
	if got := f.spend(t, f.tok); got != (budget.Spend{Cap: 2_000, Available: 1_600, Spent: 400}) {
		t.Errorf("token after settle: %+v", got)
	}
	if got := f.spend(t, "org"); got != (budget.Spend{Cap: 10_000, Available: 9_600, Spent: 400}) {
		t.Errorf("org after settle: %+v", got)
	}
}

func TestRefusalChangesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	limits := budget.Limits{WorkspaceCap: 1_000, TokenCap: 600}
	if _, err := f.gate.Reserve(ctx, f.db, f.req(500, limits)); err != nil {
		t.Fatal(err)
	}
	before := map[string]budget.Spend{"org": f.spend(t, "org"), f.ws: f.spend(t, f.ws), f.tok: f.spend(t, f.tok)}
	_, err := f.gate.Reserve(ctx, f.db, f.req(200, limits)) // fits the workspace, not the token
	e := apperr.As(err)
	if e == nil || e.Kind != apperr.BudgetExhausted || e.RetryAfter <= 0 {
		t.Fatalf("got %v, want BudgetExhausted with Retry-After", err)
	}
	for scope, want := range before {
		if got := f.spend(t, scope); got != want {
			t.Errorf("%s changed by a refused reservation: %+v → %+v", scope, want, got)
		}
	}
	// A cost above the cap is refused before any write.
	if _, err := f.gate.Reserve(ctx, f.db, f.req(5_000, limits)); apperr.KindOf(err) != apperr.BudgetExhausted {
		t.Fatalf("got %v", err)
	}
}

// TestConcurrentReservationsNeverOverspend runs 200 calls at once against a
// cap that fits about a quarter of their worst cases.
func TestConcurrentReservationsNeverOverspend(t *testing.T) {
	// DynamoDB Local runs transactions one at a time: a long deadline keeps
	// this test about the invariant, not about the emulator's queueing.
	f := newFixture(t, func(c *budget.Config) { c.Timeout = time.Minute })
	const calls, worst = 200, 1_000
	const capAmount = 50 * worst
	limits := budget.Limits{WorkspaceCap: capAmount}
	var accepted, refused atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			res, err := f.gate.Reserve(context.Background(), f.db, f.req(worst, limits))
			if err != nil {
				if apperr.KindOf(err) == apperr.BudgetExhausted {
					refused.Add(1)
				} else {
					t.Errorf("reserve %d: %v", i, err)
				}
				return
			}
			accepted.Add(1)
			actual := int64(worst/2 + i%worst/2) // between half and all of the worst case
			if err := f.gate.Settle(context.Background(), f.db, res, budget.Outcome{Cost: pricingNano(actual)}); err != nil {
				t.Errorf("settle %d: %v", i, err)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	got := f.spend(t, f.ws)
	if got.Spent > capAmount {
		t.Fatalf("settled spend %d exceeds the cap %d", got.Spent, capAmount)
	}
	if got.Reserved != 0 || got.Available != capAmount-got.Spent {
		t.Fatalf("counter inconsistent after settling: %+v", got)
	}
	if accepted.Load() < capAmount/worst {
		t.Fatalf("accepted %d calls; worst-case reservations allow at least %d", accepted.Load(), capAmount/worst)
	}
	if accepted.Load()+refused.Load() != calls {
		t.Fatalf("accepted %d + refused %d != %d", accepted.Load(), refused.Load(), calls)
	}
	t.Logf("200 concurrent calls: %d accepted, %d refused, spent %d of %d", accepted.Load(), refused.Load(), got.Spent, capAmount)
}

func TestRateLimitRefusesExactlyTheExcess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	limits := budget.Limits{WorkspaceRPM: 10}
	var ok, limited int
	for i := 0; i < 15; i++ {
		_, err := f.gate.Reserve(ctx, f.db, f.req(1, limits))
		switch {
		case err == nil:
			ok++
		case apperr.KindOf(err) == apperr.RateLimited:
			limited++
			if ra := apperr.As(err).RetryAfter; ra != 50*time.Second {
				t.Fatalf("Retry-After %v, want 50s to the next minute", ra)
			}
		default:
			t.Fatal(err)
		}
	}
	if ok != 10 || limited != 5 {
		t.Fatalf("ok=%d limited=%d, want 10 and 5", ok, limited)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.gate.Reserve(ctx, f.db, f.req(1, limits)); err != nil {
		t.Fatalf("next minute still limited: %v", err)
	}
}

func TestTokensPerMinuteCountsActualTokens(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	limits := budget.Limits{TokenTPM: 1_000}
	r := func(tokens int64) budget.Request {
		q := f.req(1, limits)
		q.Tokens = tokens
		return q
	}
	var held []*budget.Reservation
	for i := 0; i < 3; i++ {
		res, err := f.gate.Reserve(ctx, f.db, r(300))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, res)
	}
	if _, err := f.gate.Reserve(ctx, f.db, r(300)); apperr.KindOf(err) != apperr.RateLimited {
		t.Fatalf("4th call over 1000 TPM: got %v", err)
	}
	// The three calls used 100 tokens each: 600 tokens come back.
	for _, res := range held {
		if err := f.gate.Settle(ctx, f.db, res, budget.Outcome{Cost: 1, Tokens: 100}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.gate.Reserve(ctx, f.db, r(300)); err != nil {
		t.Fatalf("after settling actual tokens: %v", err)
	}
	if _, err := f.gate.Reserve(ctx, f.db, r(2_000)); apperr.As(err) == nil || apperr.As(err).Code != "request_too_large" {
		t.Fatalf("a call larger than the TPM limit: got %v", err)
	}
}

// TestCrashedReservationHeals: an invocation dies between reserve and
// settle. Its hold expires and is released; the cap is not lost.
func TestCrashedReservationHeals(t *testing.T) {
	f := newFixture(t, func(c *budget.Config) { c.HoldFor = 5 * time.Minute })
	ctx := context.Background()
	limits := budget.Limits{WorkspaceCap: 1_000}
	crashed, err := f.gate.Reserve(ctx, f.db, f.req(800, limits))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.gate.Reserve(ctx, f.db, f.req(800, limits)); apperr.KindOf(err) != apperr.BudgetExhausted {
		t.Fatalf("while the hold is live: got %v", err)
	}
	if n, err := f.gate.Reconcile(ctx, f.db, f.org); err != nil || n != 0 {
		t.Fatalf("released a live hold: n=%d err=%v", n, err)
	}
	f.clock.Advance(5*time.Minute + time.Second)
	// Reserve heals by itself before refusing.
	res, err := f.gate.Reserve(ctx, f.db, f.req(800, limits))
	if err != nil {
		t.Fatalf("expired hold still blocks the tenant: %v", err)
	}
	if n, err := f.gate.Reconcile(ctx, f.db, f.org); err != nil || n != 0 {
		t.Fatalf("released twice: n=%d err=%v", n, err)
	}
	if err := f.gate.Settle(ctx, f.db, res, budget.Outcome{Cost: 100}); err != nil {
		t.Fatal(err)
	}
	// The crashed invocation comes back after all (late settle): its spend
	// is recorded once, and nothing is released twice.
	if err := f.gate.Settle(ctx, f.db, crashed, budget.Outcome{Cost: 300}); err != nil {
		t.Fatal(err)
	}
	got := f.spend(t, f.ws)
	if got != (budget.Spend{Cap: 1_000, Available: 600, Spent: 400}) {
		t.Fatalf("after heal and late settle: %+v", got)
	}
}

func TestCapChangeMidMonth(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.gate.Reserve(ctx, f.db, f.req(300, budget.Limits{WorkspaceCap: 1_000}))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.gate.Settle(ctx, f.db, res, budget.Outcome{Cost: 300}); err != nil {
		t.Fatal(err)
	}
	// Lowered to 500: 200 left.
	if _, err := f.gate.Reserve(ctx, f.db, f.req(250, budget.Limits{WorkspaceCap: 500})); apperr.KindOf(err) != apperr.BudgetExhausted {
		t.Fatalf("after lowering the cap: got %v", err)
	}
	if got := f.spend(t, f.ws); got != (budget.Spend{Cap: 500, Available: 200, Spent: 300}) {
		t.Fatalf("cap change lost spend: %+v", got)
	}
	// Raised to 2000: the spend carries over.
	if _, err := f.gate.Reserve(ctx, f.db, f.req(1_500, budget.Limits{WorkspaceCap: 2_000})); err != nil {
		t.Fatalf("after raising the cap: %v", err)
	}
}

func TestFailsClosed(t *testing.T) {
	f := newFixture(t, func(c *budget.Config) { c.Timeout = 200 * time.Millisecond })
	creds, err := f.scoped.DynamoDB.Options().Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A store that accepts connections and never answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hang := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang })}
	go srv.Serve(l)
	t.Cleanup(func() { close(hang); srv.Close() })
	for name, endpoint := range map[string]string{
		"stopped": "http://127.0.0.1:1",
		"slow":    "http://" + l.Addr().String(),
	} {
		cfg := stack.Config(aws.AnonymousCredentials{})
		cfg.BaseEndpoint = aws.String(endpoint)
		db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.Credentials = staticCreds(creds) })
		_, err := f.gate.Reserve(context.Background(), db, f.req(1, budget.Limits{WorkspaceCap: 1_000}))
		e := apperr.As(err)
		if e == nil || e.Kind != apperr.Unavailable || e.RetryAfter <= 0 {
			t.Errorf("%s store: got %v, want Unavailable with Retry-After", name, err)
		}
	}
}
