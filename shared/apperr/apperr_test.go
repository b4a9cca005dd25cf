package apperr

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestAsKeepsKindThroughWrapping(t *testing.T) {
	base := New(BudgetExhausted, "budget_exhausted", "monthly cap reached").WithRetryAfter(time.Minute)
	wrapped := fmt.Errorf("reserve budget: %w", base)
	got := As(wrapped)
	if got.Kind != BudgetExhausted || got.Code != "budget_exhausted" || got.RetryAfter != time.Minute {
		t.Fatalf("As lost fields: %+v", got)
	}
}

func TestAsHidesUntypedCause(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.7:443: secret detail")
	got := As(fmt.Errorf("call: %w", cause))
	if got.Kind != Internal || got.Message != "internal error" {
		t.Fatalf("untyped error should become a generic internal error, got %+v", got)
	}
	if !errors.Is(got, cause) {
		t.Fatal("cause must stay reachable for logs")
	}
}

func TestKindNames(t *testing.T) {
	for k := Internal; k <= Unprocessable; k++ {
		if s := k.String(); s == "" || s[0] == 'k' {
			t.Errorf("kind %d has no name: %q", k, s)
		}
	}
	if As(nil) != nil {
		t.Fatal("As(nil) must be nil")
	}
}

func TestHTTPStatusCoversEveryKind(t *testing.T) {
	want := map[Kind]int{
		Internal: 500, Invalid: 400, Unauthenticated: 401, Forbidden: 403, NotFound: 404,
		Conflict: 409, RateLimited: 429, BudgetExhausted: 429, Unavailable: 503, TooLarge: 413,
		UpstreamFailed: 502, UpstreamTimeout: 504, Unprocessable: 422,
	}
	for k := Internal; k <= Unprocessable; k++ {
		if got := k.HTTPStatus(); got != want[k] {
			t.Errorf("%v: status %d want %d", k, got, want[k])
		}
	}
}
