package scrub

import (
	"regexp"
	"strings"
)

// rule is one credential shape.
type rule struct {
	// kind names the shape in the redaction marker: [REDACTED:kind].
	kind string
	// hints are literals, matched case-insensitively, of which at least one
	// occurs in any text the rule can match. The rule runs only when one does.
	hints []string
	// re finds the shape. When it has capturing groups, the first group that
	// took part in a match is the secret and only it is redacted, so keywords
	// such as "api_key=" or "Bearer " stay readable.
	re *regexp.Regexp
	// edge, when set, reports the bytes a secret of this shape is made of; a
	// match touching such a byte on either side is part of a longer word and
	// is not this shape.
	edge func(byte) bool
	// valid, when set, is a last check on the secret text.
	valid func(string) bool
}

// appendSpans appends to dst the spans of s that r redacts, tagged with index.
func (r *rule) appendSpans(dst []span, s string, index int) []span {
	for _, loc := range r.re.FindAllStringSubmatchIndex(s, -1) {
		start, end := loc[0], loc[1]
		for g := 2; g+1 < len(loc); g += 2 {
			if loc[g] >= 0 {
				start, end = loc[g], loc[g+1]
				break
			}
		}
		if start == end || alreadyRedacted(s, start) {
			continue
		}
		if r.edge != nil && !bounded(s, start, end, r.edge) {
			continue
		}
		if r.valid != nil && !r.valid(s[start:end]) {
			continue
		}
		dst = append(dst, span{start: start, end: end, rule: index})
	}
	return dst
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
