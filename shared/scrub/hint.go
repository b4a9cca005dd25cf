package scrub

import (
	"fmt"
	"strings"
)

// trigger is one hint literal (lower case) and the rules it enables.
type trigger struct {
	lit  string
	mask uint64
}

// prefilter finds which rules can match a text by scanning it once for their
// hint literals. It is built at start-up and never changed.
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
// there can be at most 64; more is a programming error caught at start-up.
func newPrefilter(rs []rule) *prefilter {
	if len(rs) > 64 {
		panic(fmt.Sprintf("scrub: %d rules, at most 64 fit the prefilter mask", len(rs)))
	}
	masks := map[string]uint64{}
	var order []string
	for i, r := range rs {
		for _, h := range r.hints {
			h = strings.ToLower(h)
			if _, ok := masks[h]; !ok {
				order = append(order, h)
			}
			masks[h] |= 1 << i
		}
	}
	p := &prefilter{}
	for _, h := range order {
		if len(h) < 2 {
			panic(fmt.Sprintf("scrub: hint %q is shorter than 2 bytes", h))
		}
		for _, a := range cases(h[0]) {
			for _, b := range cases(h[1]) {
				k := pair(a, b)
				p.pairs[k/64] |= 1 << (k % 64)
			}
		}
		t := trigger{lit: h, mask: masks[h]}
		for _, c := range cases(h[0]) {
			p.byFirst[c] = append(p.byFirst[c], t)
		}
	}
	return p
}

// scan returns the mask of rules whose hints occur in s.
func (p *prefilter) scan(s string) uint64 {
	var mask uint64
	for i := 0; i+1 < len(s); i++ {
		if k := pair(s[i], s[i+1]); p.pairs[k/64]&(1<<(k%64)) == 0 {
			continue
		}
		ts := p.byFirst[s[i]]
		for j := range ts {
			t := &ts[j]
			if mask&t.mask != t.mask && hasFoldedPrefix(s[i:], t.lit) {
				mask |= t.mask
			}
		}
	}
	return mask
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
