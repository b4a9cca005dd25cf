package idempotency

import (
	"strings"
	"testing"
)

func TestValidKey(t *testing.T) {
	for _, c := range []struct {
		key  string
		want bool
	}{
		{"a", true},
		{"550e8400-e29b-41d4-a716-446655440000", true},
		{strings.Repeat("k", 255), true},
		{"", false},
		{strings.Repeat("k", 256), false},
		{"has space", false},
		{"tab\there", false},
		{"ünicode", false},
		{"new\nline", false},
	} {
		if got := ValidKey(c.key); got != c.want {
			t.Errorf("ValidKey(%q) = %v", c.key, got)
		}
	}
}

func TestFingerprintSeparatesRouteAndBody(t *testing.T) {
	if Fingerprint("a", []byte("bc")) == Fingerprint("ab", []byte("c")) {
		t.Fatal("route and body run together")
	}
	if Fingerprint("r", []byte("x")) != Fingerprint("r", []byte("x")) {
		t.Fatal("not deterministic")
	}
}
