package score

import (
	"strings"
	"testing"
)

func TestJSONValid(t *testing.T) {
	fenced := "```json\n{\"answer\": 42}\n```"
	big := "[" + strings.Repeat("1,", MaxOutputBytes/2) + "1]"
	cases := []struct {
		name  string
		opts  JSONOptions
		cases []scoreCase
	}{
		{"strict", JSONOptions{}, []scoreCase{
			{name: "object", output: `{"answer": 42}`, want: 1},
			{name: "array", output: `[1, "two", null]`, want: 1},
			{name: "scalar", output: `"just a string"`, want: 1},
			{name: "surrounding whitespace", output: "\n {\"a\": true} \n", want: 1},
			{name: "unicode", output: `{"ville": "Zürich", "city": "東京"}`, want: 1},
			{name: "fence refused", output: fenced, want: 0},
			{name: "trailing text", output: `{"a": 1} thanks`, want: 0},
			{name: "two values", output: `{} {}`, want: 0},
			{name: "truncated", output: `{"a": [1, 2`, want: 0},
			{name: "prose", output: "Sure! Here is the JSON.", want: 0},
			{name: "single quotes", output: `{'a': 1}`, want: 0},
			{name: "empty output", output: "", want: 0},
			{name: "whitespace only", output: "  \n ", want: 0},
			{name: "huge refused", output: big, wantCode: CodeOutputTooLarge},
		}},
		{"fence stripped", JSONOptions{StripFence: true}, []scoreCase{
			{name: "json fence", output: fenced, want: 1},
			{name: "bare fence", output: "```\n[1]\n```", want: 1},
			{name: "unfenced still fine", output: `{"a": 1}`, want: 1},
			{name: "fence around invalid", output: "```json\n{oops}\n```", want: 0},
			{name: "prose before fence", output: "Here it is:\n" + fenced, want: 0},
		}},
	}
	for _, group := range cases {
		t.Run(group.name, func(t *testing.T) {
			runScoreCases(t, NewJSONValid(group.opts), group.cases)
		})
	}
}

func TestJSONValidDetailGivesPositionOnly(t *testing.T) {
	res, err := NewJSONValid(JSONOptions{}).Score(t.Context(), Item{}, `{"secret": oops}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "invalid JSON: syntax error at byte 12"; res.Detail != want {
		t.Fatalf("detail %q, want %q", res.Detail, want)
	}
}
