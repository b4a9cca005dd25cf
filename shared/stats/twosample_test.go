package stats

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestAlternativeString(t *testing.T) {
	for alt, want := range map[Alternative]string{
		TwoSided: "two_sided", Greater: "greater", Less: "less", Alternative(7): "Alternative(7)",
	} {
		if got := alt.String(); got != want {
			t.Errorf("Alternative(%d).String() = %q, want %q", int(alt), got, want)
		}
	}
}

func TestWelchEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		a, b     []float64
		alt      Alternative
		wantErr  string
		wantStat float64
		wantP    float64
	}{
		{"empty", nil, []float64{1, 2}, TwoSided, "at least 2", 0, 0},
		{"n=1", []float64{1}, []float64{1, 2}, TwoSided, "at least 2", 0, 0},
		{"NaN", []float64{1, math.NaN()}, []float64{1, 2}, TwoSided, "a[1] is NaN", 0, 0},
		{"Inf", []float64{1, 2}, []float64{math.Inf(1), 2}, TwoSided, "b[0] is +Inf", 0, 0},
		{"bad alternative", []float64{1, 2}, []float64{1, 2}, Alternative(3), "unknown alternative", 0, 0},
		{"both constant, equal", []float64{3, 3, 3}, []float64{3, 3}, TwoSided, "", 0, 1},
		{"both constant, B higher", []float64{3, 3, 3}, []float64{4, 4}, TwoSided, "", math.Inf(1), 0},
		{"both constant, B higher, greater", []float64{3, 3, 3}, []float64{4, 4}, Greater, "", math.Inf(1), 0},
		{"both constant, B higher, less", []float64{3, 3, 3}, []float64{4, 4}, Less, "", math.Inf(1), 1},
		{"both constant, B lower, less", []float64{3, 3, 3}, []float64{2, 2}, Less, "", math.Inf(-1), 0},
		{"identical windows", []float64{1, 2, 3}, []float64{1, 2, 3}, TwoSided, "", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Welch(tt.a, tt.b, tt.alt)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Statistic != tt.wantStat || r.P != tt.wantP || r.Name != "welch_t" {
				t.Errorf("Name, Statistic, P = %s, %v, %v; want welch_t, %v, %v", r.Name, r.Statistic, r.P, tt.wantStat, tt.wantP)
			}
			if math.IsNaN(r.Standardized) || math.IsNaN(r.Effect) {
				t.Errorf("NaN in %+v", r)
			}
		})
	}
}

func TestProportionsEdgeCases(t *testing.T) {
	tests := []struct {
		name           string
		xA, nA, xB, nB int
		alt            Alternative
		wantErr        string
		wantStat       float64
		wantP          float64
	}{
		{"nA zero", 0, 0, 1, 10, TwoSided, "nA, nB > 0", 0, 0},
		{"nB negative", 0, 10, 0, -1, TwoSided, "nA, nB > 0", 0, 0},
		{"count above n", 11, 10, 1, 10, TwoSided, "not within 0..n", 0, 0},
		{"negative count", 1, 10, -1, 10, TwoSided, "not within 0..n", 0, 0},
		{"bad alternative", 1, 10, 1, 10, Alternative(-1), "unknown alternative", 0, 0},
		{"no errors in either window", 0, 500, 0, 300, Greater, "", 0, 1},
		{"all errors in both windows", 40, 40, 7, 7, TwoSided, "", 0, 1},
		{"same rate", 10, 100, 20, 200, TwoSided, "", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Proportions(tt.xA, tt.nA, tt.xB, tt.nB, tt.alt)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Statistic != tt.wantStat || r.P != tt.wantP || r.Standardized != 0 || r.Name != "two_proportion_z" {
				t.Errorf("got %+v; want Statistic %v, P %v, Standardized 0", r, tt.wantStat, tt.wantP)
			}
		})
	}
}

func TestKSEdgeCases(t *testing.T) {
	tests := []struct {
		name    string
		a, b    []float64
		wantErr string
		wantD   float64
		wantP   float64
	}{
		{"empty A", nil, []float64{1}, "at least 1", 0, 0},
		{"empty B", []float64{1}, []float64{}, "at least 1", 0, 0},
		{"NaN", []float64{1}, []float64{math.NaN()}, "b[0] is NaN", 0, 0},
		{"one value each, equal", []float64{2}, []float64{2}, "", 0, 1},
		{"identical", []float64{3, 1, 2}, []float64{2, 3, 1}, "", 0, 1},
		{"disjoint", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []float64{11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, "", 1, kolmogorovQ(math.Sqrt(5))},
		{"all tied", []float64{5, 5, 5}, []float64{5, 5}, "", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a0, b0 := slices.Clone(tt.a), slices.Clone(tt.b)
			r, err := KS(tt.a, tt.b)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Statistic != tt.wantD || r.Standardized != tt.wantD || r.P != tt.wantP || r.Name != "ks" {
				t.Errorf("got %+v; want D %v, P %v", r, tt.wantD, tt.wantP)
			}
			if !slices.Equal(a0, tt.a) || !slices.Equal(b0, tt.b) {
				t.Error("KS modified its input")
			}
		})
	}
}

func TestKolmogorovQLimits(t *testing.T) {
	tests := []struct {
		lambda, want float64
	}{
		{-1, 1}, {0, 1}, {0.01, 1}, {40, 0},
	}
	for _, tt := range tests {
		if got := kolmogorovQ(tt.lambda); got != tt.want {
			t.Errorf("kolmogorovQ(%v) = %v, want %v", tt.lambda, got, tt.want)
		}
	}
	// The two series meet at 1.18 without a visible seam.
	if lo, hi := kolmogorovQ(math.Nextafter(1.18, 0)), kolmogorovQ(1.18); math.Abs(lo-hi) > 1e-12 {
		t.Errorf("kolmogorovQ jumps at 1.18: %v vs %v", lo, hi)
	}
}
