package stats

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestDecide(t *testing.T) {
	zeros := func(n int) []float64 { return make([]float64, n) }
	worse := slices.Repeat([]float64{-1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 50) // mean −0.1
	tests := []struct {
		name       string
		diffs      []float64
		delta      float64
		minN       int
		wantNonInf bool
		wantMinN   int
		wantReason string
	}{
		{"empty", nil, DefaultDelta, DefaultMinN, false, DefaultMinN, "no paired items yet"},
		{"too few items", zeros(50), DefaultDelta, DefaultMinN, false, DefaultMinN, "too few items: n = 50 < minimum 100"},
		{"bound not yet past the margin", zeros(200), DefaultDelta, DefaultMinN, false, DefaultMinN, "not shown non-inferior"},
		{"agreeing models pass", zeros(300), DefaultDelta, DefaultMinN, true, DefaultMinN, "non-inferior: anytime-valid lower bound -0.0399 > -0.0500"},
		{"worse model fails", worse, DefaultDelta, DefaultMinN, false, DefaultMinN, "<= -0.0500 (margin)"},
		{"worse model passes a wide margin", worse, 0.2, DefaultMinN, true, DefaultMinN, "> -0.2000 (margin)"},
		{"minN below 1 means 1", slices.Repeat([]float64{1}, 20), DefaultDelta, 0, true, 1, "after n = 20 items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.diffs, tt.delta, DefaultAlpha, tt.minN)
			if d.NonInferior != tt.wantNonInf || d.MinN != tt.wantMinN {
				t.Errorf("NonInferior, MinN = %v, %d; want %v, %d (%s)", d.NonInferior, d.MinN, tt.wantNonInf, tt.wantMinN, d.Reason)
			}
			if !strings.Contains(d.Reason, tt.wantReason) {
				t.Errorf("Reason %q does not contain %q", d.Reason, tt.wantReason)
			}
			s := NewSequence(DefaultAlpha)
			for _, x := range tt.diffs {
				s.Add(x)
			}
			want := Decision{
				N: s.N(), Mean: s.Mean(), Lower: s.Lower(), TLower: PairedTLower(tt.diffs, DefaultAlpha),
				Delta: tt.delta, Alpha: DefaultAlpha, MinN: tt.wantMinN,
				NonInferior: d.NonInferior, Reason: d.Reason,
			}
			if d != want {
				t.Errorf("Decide = %+v\nwant     %+v", d, want)
			}
			if tt.wantNonInf != (d.Lower > -tt.delta && d.N >= d.MinN) {
				t.Errorf("NonInferior %v disagrees with its definition: Lower %v, N %d", d.NonInferior, d.Lower, d.N)
			}
		})
	}
}

func ExampleDecide() {
	diffs := make([]float64, 400) // 400 items on which both models scored the same
	d := Decide(diffs, DefaultDelta, DefaultAlpha, DefaultMinN)
	fmt.Println(d.NonInferior)
	fmt.Println(d.Reason)
	// Output:
	// true
	// non-inferior: anytime-valid lower bound -0.0300 > -0.0500 (margin) at alpha 0.05 after n = 400 items (mean difference +0.0000)
}
