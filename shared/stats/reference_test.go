package stats

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// The reference values in testdata/reference.json come from
// testdata/reference.py, an independent implementation in Python with mpmath
// at 50 significant digits (PrPl-EB re-summed from scratch at every step, t
// quantiles by root-finding on the incomplete beta function, KS from the
// definition). To regenerate after changing the cases:
//
//	cd shared/stats/testdata && python3 reference.py > reference.json
//
// It needs only the standard library and mpmath. The script writes its
// generated inputs into the JSON, so both sides compute on the same vectors.

// refTol is the agreement required with the reference values.
const refTol = 1e-6

type reference struct {
	Sequence []struct {
		Name      string
		Alpha     float64
		Diffs     []float64
		Mean      float64
		Lower     float64
		LowerPath []float64 `json:"lower_path"`
	}
	PairedT []struct {
		Name  string
		Alpha float64
		Diffs []float64
		Lower float64
	} `json:"paired_t"`
	Welch []struct {
		Name                       string
		A, B                       []float64
		Alt                        string
		Statistic, P, Standardized float64
		MeanA                      float64 `json:"mean_a"`
		MeanB                      float64 `json:"mean_b"`
	}
	Proportions []struct {
		XA, NA, XB, NB             int
		Alt                        string
		Statistic, P, Standardized float64
		MeanA                      float64 `json:"mean_a"`
		MeanB                      float64 `json:"mean_b"`
	}
	KS []struct {
		Name         string
		A, B         []float64
		Statistic, P float64
		MeanA        float64 `json:"mean_a"`
		MeanB        float64 `json:"mean_b"`
	}
	KolmogorovQ []struct {
		Lam, Q float64
	} `json:"kolmogorov_q"`
}

func loadReference(t *testing.T) reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Sequence) == 0 || len(r.PairedT) == 0 || len(r.Welch) == 0 ||
		len(r.Proportions) == 0 || len(r.KS) == 0 || len(r.KolmogorovQ) == 0 {
		t.Fatal("reference.json is missing a section")
	}
	return r
}

func parseAlt(t *testing.T, s string) Alternative {
	t.Helper()
	for _, a := range []Alternative{TwoSided, Greater, Less} {
		if a.String() == s {
			return a
		}
	}
	t.Fatalf("unknown alternative %q in reference.json", s)
	return 0
}

// near reports agreement to refTol, relative for values above 1 in size.
func near(got, want float64) bool {
	return math.Abs(got-want) <= refTol*math.Max(1, math.Abs(want))
}

func TestReferenceSequence(t *testing.T) {
	for _, c := range loadReference(t).Sequence {
		t.Run(c.Name, func(t *testing.T) {
			s := NewSequence(c.Alpha)
			for i, d := range c.Diffs {
				s.Add(d)
				if got := s.Lower(); !near(got, c.LowerPath[i]) {
					t.Fatalf("after %d items Lower = %.12g, reference %.12g", i+1, got, c.LowerPath[i])
				}
			}
			if got := SequenceLower(c.Diffs, c.Alpha); !near(got, c.Lower) {
				t.Errorf("SequenceLower = %.12g, reference %.12g", got, c.Lower)
			}
			if got := s.Mean(); !near(got, c.Mean) {
				t.Errorf("Mean = %.12g, reference %.12g", got, c.Mean)
			}
		})
	}
}

func TestReferencePairedT(t *testing.T) {
	for _, c := range loadReference(t).PairedT {
		t.Run(c.Name, func(t *testing.T) {
			if got := PairedTLower(c.Diffs, c.Alpha); !near(got, c.Lower) {
				t.Errorf("PairedTLower = %.12g, reference %.12g", got, c.Lower)
			}
		})
	}
}

func TestReferenceWelch(t *testing.T) {
	for _, c := range loadReference(t).Welch {
		t.Run(c.Name+"/"+c.Alt, func(t *testing.T) {
			r, err := Welch(c.A, c.B, parseAlt(t, c.Alt))
			if err != nil {
				t.Fatal(err)
			}
			checkTest(t, r, c.Statistic, c.P, c.Standardized, c.MeanA, c.MeanB)
		})
	}
}

func TestReferenceProportions(t *testing.T) {
	for _, c := range loadReference(t).Proportions {
		r, err := Proportions(c.XA, c.NA, c.XB, c.NB, parseAlt(t, c.Alt))
		if err != nil {
			t.Fatalf("%d/%d vs %d/%d: %v", c.XA, c.NA, c.XB, c.NB, err)
		}
		t.Logf("%d/%d vs %d/%d %s: z = %.6f, p = %.6g", c.XA, c.NA, c.XB, c.NB, c.Alt, r.Statistic, r.P)
		checkTest(t, r, c.Statistic, c.P, c.Standardized, c.MeanA, c.MeanB)
	}
}

func TestReferenceKS(t *testing.T) {
	for _, c := range loadReference(t).KS {
		t.Run(c.Name, func(t *testing.T) {
			r, err := KS(c.A, c.B)
			if err != nil {
				t.Fatal(err)
			}
			checkTest(t, r, c.Statistic, c.P, c.Statistic, c.MeanA, c.MeanB)
		})
	}
}

func TestReferenceKolmogorovQ(t *testing.T) {
	for _, c := range loadReference(t).KolmogorovQ {
		if got := kolmogorovQ(c.Lam); !near(got, c.Q) {
			t.Errorf("kolmogorovQ(%v) = %.12g, reference %.12g", c.Lam, got, c.Q)
		}
	}
}

func checkTest(t *testing.T, r Test, stat, p, std, meanA, meanB float64) {
	t.Helper()
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"Statistic", r.Statistic, stat},
		{"P", r.P, p},
		{"Standardized", r.Standardized, std},
		{"MeanA", r.MeanA, meanA},
		{"MeanB", r.MeanB, meanB},
		{"Effect", r.Effect, meanB - meanA},
	} {
		if !near(f.got, f.want) {
			t.Errorf("%s = %.12g, reference %.12g", f.name, f.got, f.want)
		}
	}
}
