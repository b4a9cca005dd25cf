package auth

import (
	"strings"
	"testing"
)

func TestNewTokenShape(t *testing.T) {
	seen := map[string]bool{}
	counts := map[byte]int{}
	for i := 0; i < 2000; i++ {
		tok := NewToken()
		if !WellFormed(tok) || len(tok) != TokenLen {
			t.Fatalf("malformed token %q", tok)
		}
		if seen[tok] {
			t.Fatal("duplicate token")
		}
		seen[tok] = true
		for j := len(Prefix); j < len(tok); j++ {
			counts[tok[j]]++
		}
	}
	if len(counts) != 62 {
		t.Fatalf("tokens use %d of 62 characters", len(counts))
	}
}

func TestWellFormedRejects(t *testing.T) {
	good := NewToken()
	for name, s := range map[string]string{
		"empty":       "",
		"no prefix":   good[len(Prefix):],
		"short":       good[:len(good)-1],
		"long":        good + "a",
		"bad char":    good[:len(good)-1] + "-",
		"sql":         Prefix + strings.Repeat("'", secretLen),
		"other typed": "sk-" + good[3:],
	} {
		if WellFormed(s) {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestHashAndDisplayHideTheSecret(t *testing.T) {
	tok := NewToken()
	h := Hash(tok)
	if len(h) != 64 || strings.Contains(h, tok[len(Prefix):]) {
		t.Fatalf("bad hash %q", h)
	}
	if d := Display(tok); len(d) != len(Prefix)+6 || !strings.HasPrefix(tok, d) {
		t.Fatalf("bad display %q", d)
	}
}

func TestBearerToken(t *testing.T) {
	cases := []struct{ auth, key, want string }{
		{"Bearer abc", "", "abc"},
		{"bearer  abc ", "", "abc"},
		{"Basic abc", "", ""},
		{"abc", "", ""},
		{"", "abc", "abc"},
		{"", "", ""},
	}
	for _, c := range cases {
		if got := BearerToken(c.auth, c.key); got != c.want {
			t.Errorf("BearerToken(%q,%q)=%q want %q", c.auth, c.key, got, c.want)
		}
	}
}
