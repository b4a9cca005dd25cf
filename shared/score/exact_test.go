package score

import (
	"context"
	"strings"
	"testing"
)

// scoreCase is one table row shared by the deterministic scorers' tests.
type scoreCase struct {
	name     string
	item     Item
	output   string
	want     float64
	wantCode string // a Tollgate error code instead of a score
}

// runScoreCases scores each case with s and checks score or error code, and
// that Detail never repeats the output or reference.
func runScoreCases(t *testing.T, s Scorer, cases []scoreCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Score(context.Background(), tc.item, tc.output)
			if tc.wantCode != "" {
				wantCode(t, err, tc.wantCode)
				return
			}
			if err != nil {
				t.Fatalf("Score: %v", err)
			}
			if res.Score != tc.want {
				t.Fatalf("score %v, want %v (detail %q)", res.Score, tc.want, res.Detail)
			}
			if res.Detail == "" || len(res.Detail) > 120 {
				t.Fatalf("detail %q: want short and non-empty", res.Detail)
			}
			for _, text := range []string{tc.output, tc.item.Reference} {
				if len(text) >= 4 && strings.Contains(res.Detail, text) {
					t.Fatalf("detail %q echoes item text %q", res.Detail, text)
				}
			}
		})
	}
}

func TestExact(t *testing.T) {
	huge := strings.Repeat("a", MaxOutputBytes+1)
	runScoreCases(t, Exact{}, []scoreCase{
		{name: "match", item: item("q", "Paris"), output: "Paris", want: 1},
		{name: "case differs", item: item("q", "Paris"), output: "paris", want: 0},
		{name: "trailing space", item: item("q", "Paris"), output: "Paris ", want: 0},
		{name: "prefix only", item: item("q", "Paris, France"), output: "Paris", want: 0},
		{name: "unicode match", item: item("q", "東京 café"), output: "東京 café", want: 1},
		{name: "unicode composed vs decomposed", item: item("q", "café"), output: "cafe\u0301", want: 0},
		{name: "empty output", item: item("q", "Paris"), output: "", want: 0},
		{name: "no reference", item: item("q", ""), output: "Paris", wantCode: CodeReferenceMissing},
		{name: "huge output refused", item: item("q", "Paris"), output: huge, wantCode: CodeOutputTooLarge},
		{name: "output at the bound", item: item("q", huge[:MaxOutputBytes]), output: huge[:MaxOutputBytes], want: 1},
	})
}

func TestMismatchDetail(t *testing.T) {
	tests := []struct {
		got, want, detail string
	}{
		{"abc", "abd", "mismatch at byte 2 (output 3 bytes, reference 3 bytes)"},
		{"ab", "abc", "mismatch at byte 2 (output 2 bytes, reference 3 bytes)"},
		{"", "x", "mismatch at byte 0 (output 0 bytes, reference 1 bytes)"},
	}
	for _, tc := range tests {
		if got := mismatch(tc.got, tc.want); got != tc.detail {
			t.Errorf("mismatch(%q, %q) = %q, want %q", tc.got, tc.want, got, tc.detail)
		}
	}
}
