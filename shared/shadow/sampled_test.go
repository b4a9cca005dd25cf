package shadow_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/shadow"
)

func TestSampled(t *testing.T) {
	ids := make([]string, 10_000)
	for i := range ids {
		ids[i] = id.New(id.Request)
	}
	for _, c := range []struct {
		percent  int64
		min, max int // of 10,000; ±4 standard deviations for the in-between ones
	}{
		{-5, 0, 0},
		{0, 0, 0},
		{1, 100 - 40, 100 + 40},
		{10, 1000 - 120, 1000 + 120},
		{50, 5000 - 200, 5000 + 200},
		{90, 9000 - 120, 9000 + 120},
		{100, 10_000, 10_000},
		{150, 10_000, 10_000},
	} {
		n := 0
		for _, r := range ids {
			got := shadow.Sampled(r, c.percent)
			if got != shadow.Sampled(r, c.percent) {
				t.Fatalf("percent %d: the decision for %s changed", c.percent, r)
			}
			if got {
				n++
			}
		}
		if n < c.min || n > c.max {
			t.Errorf("percent %d: %d of 10000 sampled, want %d-%d", c.percent, n, c.min, c.max)
		}
	}
	// Raising the percent only adds requests.
	for _, r := range ids[:2000] {
		for p := int64(1); p < 100; p++ {
			if shadow.Sampled(r, p) && !shadow.Sampled(r, p+1) {
				t.Fatalf("%s sampled at %d%% but not at %d%%", r, p, p+1)
			}
		}
	}
	// The hash is not seeded: every gateway instance, in every process and
	// release, decides the same. Each ID here falls in bucket b (0-99): it is
	// sampled from b+1 percent up.
	for r, b := range map[string]int64{"req_00000000000000000000": 32, "req_fixed": 46, "": 71, "a": 35} {
		if shadow.Sampled(r, b) || !shadow.Sampled(r, b+1) {
			t.Errorf("%q: want bucket %d", r, b)
		}
	}
}
