package scrub

import (
	"fmt"
	"strings"
)

// trigger is one hint literal (lower case), the bytes that may follow it
// (any, when empty) and the rules it enables.
type trigger struct {
	lit    string
	follow string
	mask   uint64
}

// maxRules is the number of rules a prefilter mask can hold.
const maxRules = 64

// prefilter finds where rules can match a text by looking for their hint
// literals. It is built at start-up and never changed.
type prefilter struct {
	// pairs is a bitmap over the first two bytes of every hint, in every
	// combination of case, so most positions of a text are rejected with one
	// lookup.
	pairs [1 << 16 / 64]uint64
	// byFirst holds, for every byte, the triggers starting with that byte in
	// either case.
	byFirst [256][]trigger
}

// newPrefilter indexes the hints of rs. Rules are bits of a uint64 mask, so
// there can be at most maxRules; more is a programming error caught at
// start-up.
func newPrefilter(rs []rule) *prefilter {
	if len(rs) > maxRules {
		panic(fmt.Sprintf("scrub: %d rules, at most %d fit the prefilter mask", len(rs), maxRules))
	}
	type key struct{ lit, follow string }
	masks := map[key]uint64{}
	var order []key
	for i, r := range rs {
		for _, h := range r.hints {
			k := key{strings.ToLower(h), r.follow}
			if _, ok := masks[k]; !ok {
				order = append(order, k)
			}
			masks[k] |= 1 << i
		}
	}
	p := &prefilter{}
	for _, hk := range order {
		h := hk.lit
		if len(h) < 2 {
			panic(fmt.Sprintf("scrub: hint %q is shorter than 2 bytes", h))
		}
		for _, a := range cases(h[0]) {
			for _, b := range cases(h[1]) {
				k := pair(a, b)
				p.pairs[k/64] |= 1 << (k % 64)
			}
		}
		t := trigger{lit: h, follow: hk.follow, mask: masks[hk]}
		for _, c := range cases(h[0]) {
			p.byFirst[c] = append(p.byFirst[c], t)
		}
	}
	return p
}

// maybe reports whether a hint can start with the bytes a, b. It is the
// cheap test run at every position of a text.
func (p *prefilter) maybe(a, b byte) bool {
	k := pair(a, b)
	return p.pairs[k/64]&(1<<(k%64)) != 0
}

// at returns the mask of rules with a hint starting at s[pos:].
func (p *prefilter) at(s string, pos int) uint64 {
	var mask uint64
	for _, t := range p.byFirst[s[pos]] {
		if hasFoldedPrefix(s[pos:], t.lit) && followed(s, pos+len(t.lit), t.follow) {
			mask |= t.mask
		}
	}
	return mask
}

// followed reports whether s[i] is one of follow, or follow is empty.
func followed(s string, i int, follow string) bool {
	return follow == "" || i < len(s) && strings.IndexByte(follow, s[i]) >= 0
}

// pair is the bitmap index of two adjacent bytes.
func pair(a, b byte) uint32 { return uint32(a)<<8 | uint32(b) }

// cases returns c, and its upper-case form when c is a lower-case letter.
func cases(c byte) []byte {
	if 'a' <= c && c <= 'z' {
		return []byte{c, c - 'a' + 'A'}
	}
	return []byte{c}
}

// lower returns c in lower case when it is an ASCII letter.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasFoldedPrefix reports whether s starts with lit, ignoring ASCII case.
// lit is lower case and its first byte is already known to match.
func hasFoldedPrefix(s, lit string) bool {
	if len(s) < len(lit) {
		return false
	}
	for i := 1; i < len(lit); i++ {
		if lower(s[i]) != lit[i] {
			return false
		}
	}
	return true
}
