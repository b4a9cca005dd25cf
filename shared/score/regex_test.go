package score

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

func TestRegex(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		cases   []scoreCase
	}{
		{"anchored number", `^\s*-?\d+(\.\d+)?\s*$`, []scoreCase{
			{name: "integer", output: "42", want: 1},
			{name: "decimal with space", output: " -3.14\n", want: 1},
			{name: "number in prose", output: "It is 42.", want: 0},
			{name: "empty output", output: "", want: 0},
		}},
		{"unanchored finds a match anywhere", `(?i)\bparis\b`, []scoreCase{
			{name: "inside prose", output: "The capital is PARIS, of course.", want: 1},
			{name: "part of a word", output: "Parisian", want: 0},
		}},
		{"unicode classes", `^\p{Han}+$`, []scoreCase{
			{name: "han", output: "東京", want: 1},
			{name: "latin", output: "Tokyo", want: 0},
		}},
		{"empty match allowed by pattern", `^$`, []scoreCase{
			{name: "empty output", output: "", want: 1},
			{name: "non-empty", output: "x", want: 0},
		}},
		{"linear time on adversarial input", `^(a+)+$`, []scoreCase{
			{name: "catastrophic for backtrackers", output: strings.Repeat("a", 1<<16) + "!", want: 0},
			{name: "huge refused", output: strings.Repeat("a", MaxOutputBytes+1), wantCode: CodeOutputTooLarge},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewRegex(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			runScoreCases(t, r, tc.cases)
		})
	}
}

func TestNewRegexRefusesBadPatterns(t *testing.T) {
	tests := []struct {
		name, pattern string
		kind          apperr.Kind
	}{
		{"empty", "", apperr.Invalid},
		{"unclosed group", "(abc", apperr.Invalid},
		{"lookahead is not RE2", "foo(?=bar)", apperr.Invalid},
		{"backreference is not RE2", `(a)\1`, apperr.Invalid},
		{"too long", strings.Repeat("a", MaxPatternBytes+1), apperr.TooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewRegex(tc.pattern)
			if r != nil {
				t.Fatal("got a scorer for a bad pattern")
			}
			wantCode(t, err, CodeInvalidPattern)
			if k := apperr.KindOf(err); k != tc.kind {
				t.Fatalf("kind %v, want %v", k, tc.kind)
			}
		})
	}
	if _, err := NewRegex(strings.Repeat("a", MaxPatternBytes)); err != nil {
		t.Fatalf("pattern at the bound: %v", err)
	}
}
