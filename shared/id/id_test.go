package id

import "testing"

func TestNewIsFixedLengthAndValid(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		s := New(Org)
		if len(s) != len(Org)+RandomLen || !Valid(Org, s) {
			t.Fatalf("bad id %q", s)
		}
		if seen[s] {
			t.Fatalf("duplicate id %q", s)
		}
		seen[s] = true
	}
}

func TestValidRejects(t *testing.T) {
	good := New(Org)
	cases := map[string]string{
		"wrong prefix":  "ws_" + good[len(Org):],
		"short":         good[:len(good)-1],
		"long":          good + "a",
		"hash":          good[:len(good)-1] + "#",
		"upper":         Org + "AAAAAAAAAAAAAAAAAAAA",
		"ambiguous (l)": Org + "llllllllllllllllllll",
	}
	for name, s := range cases {
		if Valid(Org, s) {
			t.Errorf("%s: %q accepted", name, s)
		}
	}
}
