package bench

import (
	"testing"
	"time"
)

func TestDistPercentiles(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name    string
		samples []time.Duration
		q       float64
		want    time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of unsorted", ms(5, 1, 4, 2, 3), 50, 3 * time.Millisecond},
		{"p90 of ten", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 90, 9 * time.Millisecond},
		{"p99 of ten is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p100", ms(3, 1, 2), 100, 3 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewDist(tt.samples).P(tt.q); got != tt.want {
				t.Errorf("P(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestSummaryMinus(t *testing.T) {
	tests := []struct {
		name    string
		s, base Summary
		want    Summary
	}{
		{"added", Summary{30, 40, 90}, Summary{10, 12, 20}, Summary{20, 28, 70}},
		{"faster than the baseline is negative", Summary{9, 12, 20}, Summary{10, 12, 21}, Summary{-1, 0, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Minus(tt.base); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
