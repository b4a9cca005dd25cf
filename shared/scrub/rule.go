package scrub

import (
	"regexp"
	"strings"
)

// rule is one credential shape.
type rule struct {
	// kind names the shape in the redaction marker: [REDACTED:kind].
	kind string
	// hints are literals, matched case-insensitively, one of which begins
	// every match of the rule. The rule is tried only where one occurs.
	hints []string
	// follow, when set, holds the bytes one of which must come right after
	// a hint for the rule to be tried there.
	follow string
	// re matches the shape at the start of its input (it is anchored). When
	// it has capturing groups, the first group that took part in a match is
	// the secret and only it is redacted, so keywords such as "api_key=" or
	// "Bearer " stay readable.
	re *regexp.Regexp
	// before, when set, reports whether a match may start at s[pos:], from
	// what precedes it: a keyword must not be the tail of a longer word.
	before func(s string, pos int) bool
	// edge, when set, reports the bytes a secret of this shape is made of; a
	// secret touching such a byte on either side is part of a longer word and
	// is not this shape.
	edge func(byte) bool
	// valid, when set, is a last check on the secret text.
	valid func(string) bool
}

// anchored compiles pattern to match only at the start of its input, so that
// trying a rule at a hint costs the length of the match, not of the text.
func anchored(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`^(?:` + pattern + `)`)
}

// matchAt tries r at s[pos:]. It returns the span to redact, if any, and
// the end of the whole match (0 when nothing matched).
func (r *rule) matchAt(s string, pos int) (sp span, end int, ok bool) {
	if r.before != nil && !r.before(s, pos) {
		return span{}, 0, false
	}
	loc := r.re.FindStringSubmatchIndex(s[pos:])
	if loc == nil {
		return span{}, 0, false
	}
	start, stop := loc[0], loc[1]
	for g := 2; g+1 < len(loc); g += 2 {
		if loc[g] >= 0 {
			start, stop = loc[g], loc[g+1]
			break
		}
	}
	start, stop, end = start+pos, stop+pos, loc[1]+pos
	if start == stop || alreadyRedacted(s, start) {
		return span{}, end, false
	}
	if r.edge != nil && !bounded(s, start, stop, r.edge) {
		return span{}, end, false
	}
	if r.valid != nil && !r.valid(s[start:stop]) {
		return span{}, end, false
	}
	return span{start: start, end: stop}, end, true
}

// alreadyRedacted reports whether the value at s[start:] is a redaction marker,
// written by String or by a caller that blanked a value itself, so that
// scrubbing twice changes nothing.
func alreadyRedacted(s string, start int) bool {
	v := s[start:]
	return strings.HasPrefix(v, "[REDACTED") ||
		(start > 0 && s[start-1] == '[' && strings.HasPrefix(v, "REDACTED"))
}

// bounded reports whether s[start:end] is not glued to more bytes of the same
// class. The letter of a backslash escape (the n of \n in JSON-encoded text)
// counts as a boundary, as it does for gitleaks.
func bounded(s string, start, end int, in func(byte) bool) bool {
	if start > 0 && in(s[start-1]) && !escapeLetter(s, start-1) {
		return false
	}
	return end >= len(s) || !in(s[end])
}

// escapeLetter reports whether s[i] ends a backslash escape such as \n or \t.
func escapeLetter(s string, i int) bool {
	return i > 0 && s[i-1] == '\\' && strings.IndexByte("nrtbf", s[i]) >= 0
}

// wordStart reports whether a keyword at s[pos:] begins a word, so that
// "bearer" matches in "Bearer x" but not in "cardbearer x".
func wordStart(s string, pos int) bool {
	return pos == 0 || !alnum(s[pos-1])
}

// queryParam reports whether s[pos:] begins a URL query parameter.
func queryParam(s string, pos int) bool {
	return pos > 0 && (s[pos-1] == '?' || s[pos-1] == '&')
}
