package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSequenceEdgeCases(t *testing.T) {
	tests := []struct {
		name      string
		diffs     []float64
		wantN     int
		wantMean  float64
		wantLower float64
	}{
		{"empty", nil, 0, 0, -1},
		{"one item carries no information", []float64{1}, 1, 1, -1},
		{"two items", []float64{0, 1}, 2, 0.5, -1},
		{"above 1 clamps to 1", []float64{1.5}, 1, 1, -1},
		{"below -1 clamps to -1", []float64{-3}, 1, -1, -1},
		{"NaN counts as -1", []float64{math.NaN(), 1}, 2, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSequence(DefaultAlpha)
			for _, d := range tt.diffs {
				s.Add(d)
			}
			if s.N() != tt.wantN || s.Mean() != tt.wantMean || s.Lower() != tt.wantLower {
				t.Errorf("N, Mean, Lower = %d, %v, %v; want %d, %v, %v",
					s.N(), s.Mean(), s.Lower(), tt.wantN, tt.wantMean, tt.wantLower)
			}
			if got := SequenceLower(tt.diffs, DefaultAlpha); got != s.Lower() {
				t.Errorf("SequenceLower = %v, Sequence.Lower = %v", got, s.Lower())
			}
		})
	}
}

// TestSequenceClampsLikeTheEnds checks that out-of-range differences behave
// exactly like the end of the range they are beyond, at every step.
func TestSequenceClampsLikeTheEnds(t *testing.T) {
	raw := []float64{2, -1.5, 0.25, math.Inf(1), math.Inf(-1), math.NaN(), 0, 1e9}
	clamped := []float64{1, -1, 0.25, 1, -1, -1, 0, 1}
	a, b := NewSequence(0.1), NewSequence(0.1)
	for i := range raw {
		a.Add(raw[i])
		b.Add(clamped[i])
		if a.Lower() != b.Lower() || a.Mean() != b.Mean() {
			t.Fatalf("after %d items: raw gives (%v, %v), clamped gives (%v, %v)",
				i+1, a.Lower(), a.Mean(), b.Lower(), b.Mean())
		}
	}
}

// TestSequenceAllZero pins down how fast the bound can clear the default
// margin when candidate and baseline always agree: the DefaultMinN doc
// comment relies on it taking 240 items at δ = α = 0.05.
func TestSequenceAllZero(t *testing.T) {
	s := NewSequence(DefaultAlpha)
	first := 0
	for i := 1; i <= 1000; i++ {
		s.Add(0)
		if s.Lower() > 0 {
			t.Fatalf("after %d zero differences Lower = %v > 0", i, s.Lower())
		}
		if first == 0 && s.Lower() > -DefaultDelta {
			first = i
		}
	}
	if first != 240 {
		t.Errorf("all-zero differences first clear -%v after %d items, want 240", DefaultDelta, first)
	}
	if s.Mean() != 0 {
		t.Errorf("Mean = %v, want 0", s.Mean())
	}
}

// TestSequenceRunningMax checks that Lower never loosens and stays in
// [-1, 1], on noisy data and on data that is always +1.
func TestSequenceRunningMax(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	tests := []struct {
		name string
		gen  func() float64
	}{
		{"uniform", func() float64 { return 2*r.Float64() - 1 }},
		{"always +1", func() float64 { return 1 }},
		{"always -1", func() float64 { return -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSequence(DefaultAlpha)
			prev := s.Lower()
			for i := 1; i <= 2000; i++ {
				s.Add(tt.gen())
				l := s.Lower()
				if l < prev || l < -1 || l > 1 || math.IsNaN(l) {
					t.Fatalf("after %d items Lower = %v, previous %v", i, l, prev)
				}
				prev = l
			}
			if prev >= 1 {
				t.Errorf("Lower reached %v; a finite sample cannot prove a mean of 1", prev)
			}
		})
	}
}

func TestNewSequenceAlpha(t *testing.T) {
	tests := []struct {
		alpha     float64
		wantPanic bool
	}{
		{0, true},
		{-0.05, true},
		{0.5000001, true},
		{1, true},
		{math.NaN(), true},
		{math.Inf(1), true},
		{1e-9, false},
		{0.05, false},
		{0.5, false},
	}
	for _, tt := range tests {
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			s := NewSequence(tt.alpha)
			if s.Alpha() != tt.alpha {
				t.Errorf("Alpha() = %v, want %v", s.Alpha(), tt.alpha)
			}
			return false
		}()
		if panicked != tt.wantPanic {
			t.Errorf("NewSequence(%v) panicked = %v, want %v", tt.alpha, panicked, tt.wantPanic)
		}
	}
}
