package score

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"  Paris  ", "paris"},
		{"Paris.", "paris"},
		{`"Paris"`, "paris"},
		{"**Paris**", "paris"},
		{"«Paris»", "paris"},
		{"“New   York”!", "new york"},
		{"New\n\tYork", "new york"},
		{"`42`", "42"},
		{"-5", "-5"},
		{"50%", "50%"},
		{"f(x)", "f(x)"},
		{"ÉCOLE", "école"},
		{"東京。", "東京"},
		{"ＰＡＲＩＳ", "ｐａｒｉｓ"}, // no NFKC: full-width stays full-width
		{"", ""},
		{" ... ", ""},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalized(t *testing.T) {
	huge := strings.Repeat(" ", MaxOutputBytes) + "x"
	runScoreCases(t, Normalized{}, []scoreCase{
		{name: "same", item: item("q", "Paris"), output: "Paris", want: 1},
		{name: "case and punctuation", item: item("q", "Paris"), output: " paris. ", want: 1},
		{name: "quoted and emphasized", item: item("q", "New York"), output: "**\"new  york\"**", want: 1},
		{name: "reference is normalized too", item: item("q", "  'Yes.' "), output: "YES", want: 1},
		{name: "different answer", item: item("q", "Paris"), output: "London", want: 0},
		{name: "sign matters", item: item("q", "5"), output: "-5", want: 0},
		{name: "unicode case", item: item("q", "Ärger"), output: "ärger", want: 1},
		{name: "full-width not folded", item: item("q", "paris"), output: "ＰＡＲＩＳ", want: 0},
		{name: "empty output", item: item("q", "Paris"), output: "", want: 0},
		{name: "punctuation-only output", item: item("q", "Paris"), output: "?!", want: 0},
		{name: "no reference", item: item("q", ""), output: "x", wantCode: CodeReferenceMissing},
		{name: "huge output refused", item: item("q", "x"), output: huge, wantCode: CodeOutputTooLarge},
	})
}
