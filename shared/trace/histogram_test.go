package trace

import "testing"

func TestHistogramQuantiles(t *testing.T) {
	h := Histogram{Buckets: make([]int64, bucketCount)}
	for _, ms := range []int64{1, 3, 3, 40, 40, 40, 90, 700, 4000, 999_999} {
		h.Buckets[bucket(ms)]++
	}
	cases := map[float64]int64{0.1: 1, 0.3: 5, 0.5: 50, 0.7: 100, 0.8: 1_000, 0.9: 5_000, 1: 600_000}
	for q, want := range cases {
		if got := h.Quantile(q); got != want {
			t.Errorf("q%.1f = %d, want %d", q, got, want)
		}
	}
	if (Histogram{}).Quantile(0.5) != 0 {
		t.Fatal("empty histogram")
	}
}

func TestValidID(t *testing.T) {
	for _, ok := range []string{"a", "ev-1", "0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331", "x.y_z"} {
		if !ValidID(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "a#b", "a b", "é", string(make([]byte, 65))} {
		if ValidID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
