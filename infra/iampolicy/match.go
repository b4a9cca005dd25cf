package iampolicy

import (
	"strings"
	"unicode"
)

// piece is a run of pattern text: literal text (from a substituted variable or
// an escape) never holds wildcards.
type piece struct {
	text    string
	literal bool
}

type tokenKind uint8

const (
	tokLit  tokenKind = iota // one literal rune
	tokStar                  // * : any run of characters
	tokOne                   // ? : exactly one character
)

type token struct {
	kind tokenKind
	r    rune
	// spansColon is set on a * or ? that may match ':' (see compileResource).
	spansColon bool
}

type pattern []token

// compile turns pieces into a wildcard pattern in which every * and ? may
// match any character.
func compile(pieces []piece) pattern {
	n := 0
	for _, pc := range pieces {
		n += len(pc.text)
	}
	p := make(pattern, 0, n)
	for _, pc := range pieces {
		for _, r := range pc.text {
			switch {
			case pc.literal:
				p = append(p, token{kind: tokLit, r: r})
			case r == '*':
				p = append(p, token{kind: tokStar, spansColon: true})
			case r == '?':
				p = append(p, token{kind: tokOne, spansColon: true})
			default:
				p = append(p, token{kind: tokLit, r: r})
			}
		}
	}
	return p
}

// compileResource compiles a Resource element pattern. IAM lets wildcards work
// within an ARN segment; a * that is the last character of a segment (followed
// by ':' or ending the pattern) may also expand across colons.
func compileResource(pieces []piece) pattern {
	p := compile(pieces)
	for i := range p {
		switch p[i].kind {
		case tokOne:
			p[i].spansColon = false
		case tokStar:
			last := i == len(p)-1
			p[i].spansColon = last || (p[i+1].kind == tokLit && p[i+1].r == ':')
		}
	}
	return p
}

// match reports whether s matches the whole pattern. With fold the
// comparison of literal runes ignores case. A wildcard without spansColon does
// not match ':'.
func (p pattern) match(s string, fold bool) bool {
	wild, uniform := false, true
	for _, t := range p {
		if t.kind != tokLit {
			wild = true
			uniform = uniform && t.spansColon
		}
	}
	rs := []rune(s)
	switch {
	case !wild:
		if len(p) != len(rs) {
			return false
		}
		for i, t := range p {
			if !runeEq(t.r, rs[i], fold) {
				return false
			}
		}
		return true
	case uniform:
		return p.matchGreedy(rs, fold)
	default:
		return p.matchTable(rs, fold)
	}
}

// matchGreedy is the linear-time wildcard match for patterns whose wildcards
// all match any character: on a mismatch it retries from the last *, letting
// that * absorb one more character.
func (p pattern) matchGreedy(rs []rune, fold bool) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(rs) {
		switch {
		case pi < len(p) && p[pi].kind == tokStar:
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi].kind == tokOne || runeEq(p[pi].r, rs[si], fold)):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].kind == tokStar {
		pi++
	}
	return pi == len(p)
}

// matchTable handles patterns with colon-bound wildcards by dynamic
// programming over (pattern position, string position): O(len(p)·len(s)).
func (p pattern) matchTable(rs []rune, fold bool) bool {
	n := len(rs)
	// next[j] holds whether p[i+1:] matches rs[j:]; cur is row i.
	next := make([]bool, n+1)
	cur := make([]bool, n+1)
	next[n] = true // empty pattern matches empty string
	for i := len(p) - 1; i >= 0; i-- {
		t := p[i]
		switch t.kind {
		case tokStar:
			cur[n] = next[n]
			for j := n - 1; j >= 0; j-- {
				cur[j] = next[j] || ((t.spansColon || rs[j] != ':') && cur[j+1])
			}
		case tokOne:
			cur[n] = false
			for j := n - 1; j >= 0; j-- {
				cur[j] = (t.spansColon || rs[j] != ':') && next[j+1]
			}
		default:
			cur[n] = false
			for j := n - 1; j >= 0; j-- {
				cur[j] = runeEq(t.r, rs[j], fold) && next[j+1]
			}
		}
		next, cur = cur, next
	}
	return next[0]
}

func runeEq(a, b rune, fold bool) bool {
	if a == b {
		return true
	}
	return fold && unicode.ToLower(a) == unicode.ToLower(b)
}

// plain joins pieces into the string they stand for, wildcards included as
// text (for exact-match operators).
func plain(pieces []piece) string {
	var b strings.Builder
	for _, pc := range pieces {
		b.WriteString(pc.text)
	}
	return b.String()
}

// matchAction reports whether action (service:Name) matches an Action
// element entry. Actions compare case-insensitively.
func matchAction(pat, action string) bool {
	if pat == "*" {
		return true
	}
	if !strings.ContainsAny(pat, "*?") {
		return strings.EqualFold(pat, action)
	}
	return compile([]piece{{text: pat}}).match(action, true)
}

// splitPattern splits an ARN-shaped pattern into its six colon-separated
// components; the sixth keeps any further colons. ok is false when there are
// fewer than six.
func splitPattern(p pattern) ([]pattern, bool) {
	parts := make([]pattern, 0, 6)
	start := 0
	for i, t := range p {
		if len(parts) == 5 {
			break
		}
		if t.kind == tokLit && t.r == ':' {
			parts = append(parts, p[start:i])
			start = i + 1
		}
	}
	if len(parts) != 5 {
		return nil, false
	}
	return append(parts, p[start:]), true
}

// matchARN implements ArnEquals/ArnLike: each of the six colon-separated
// components is matched separately, case-sensitively, wildcards allowed.
func matchARN(pieces []piece, arn string) bool {
	pats, ok := splitPattern(compile(pieces))
	if !ok {
		return false
	}
	vals := strings.SplitN(arn, ":", 6)
	if len(vals) != 6 {
		return false
	}
	for i := range pats {
		if !pats[i].match(vals[i], false) {
			return false
		}
	}
	return true
}
