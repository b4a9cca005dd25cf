package main

import (
	"slices"
	"testing"
)

func TestParseInts(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"1,8,32", []int{1, 8, 32}, false},
		{" 4 , 16", []int{4, 16}, false},
		{"1,,2", nil, true},
		{"0", nil, true},
		{"x", nil, true},
	}
	for _, tt := range tests {
		got, err := parseInts(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("parseInts(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if joinInts([]int{1, 8, 32}) != "1,8,32" {
		t.Error("joinInts does not invert parseInts")
	}
}
