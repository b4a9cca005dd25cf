package stats

import (
	"math"
	"testing"
)

func TestPairedTLowerEdgeCases(t *testing.T) {
	tests := []struct {
		name  string
		diffs []float64
		want  float64
	}{
		{"empty", nil, -1},
		{"n=1", []float64{0.4}, -1},
		{"all zero gives the mean", []float64{0, 0, 0, 0}, 0},
		{"constant gives the mean", []float64{0.2, 0.2, 0.2}, 0.2},
		{"all +1", []float64{1, 1, 1}, 1},
		{"out of range clamps before the mean", []float64{3, 2, 1}, 1},
		{"NaN counts as -1", []float64{math.NaN(), -1}, -1},
		{"wide interval clamps at -1", []float64{-1, 1}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PairedTLower(tt.diffs, DefaultAlpha); got != tt.want {
				t.Errorf("PairedTLower(%v) = %v, want %v", tt.diffs, got, tt.want)
			}
		})
	}
}

func TestPairedTLowerPanicsOnAlpha(t *testing.T) {
	for _, alpha := range []float64{0, 0.75, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("PairedTLower(alpha=%v) did not panic", alpha)
				}
			}()
			PairedTLower([]float64{0, 1, 0}, alpha)
		}()
	}
}
