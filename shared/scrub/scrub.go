package scrub

import (
	"math/bits"
	"sort"
	"strings"
)

// String returns s with every credential-shaped substring replaced by
// [REDACTED:<kind>]. It returns s itself, without allocating, when nothing
// matches, which is the common case on the logging path.
func String(s string) string {
	spans := find(s, false)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.start])
		b.WriteString("[REDACTED:")
		b.WriteString(rules[sp.rule].kind)
		b.WriteByte(']')
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// Contains reports whether s holds any credential shape that String would
// redact. Tests use it to assert that nothing leaked into an output.
func Contains(s string) bool {
	return len(find(s, true)) > 0
}

// span is one byte range of s to redact, found by rules[rule].
type span struct{ start, end, rule int }

// find returns the spans to redact, sorted and merged so that no two overlap.
// With first set it stops at the first span found and does not merge.
//
// Each rule is tried only where one of its hints occurs, and not again inside
// text its previous match already consumed, so the work is proportional to
// the text plus the matches, however long the text.
func find(s string, first bool) []span {
	for pos := 0; pos+1 < len(s); pos++ {
		if filter.maybe(s[pos], s[pos+1]) {
			return findFrom(s, pos, first)
		}
	}
	return nil
}

// findFrom is find from the first position where a hint may start. It is
// split from find so that text without any hint never pays for its state.
func findFrom(s string, pos int, first bool) []span {
	var spans []span
	var consumed [maxRules]int
	for ; pos+1 < len(s); pos++ {
		if !filter.maybe(s[pos], s[pos+1]) {
			continue
		}
		mask := filter.at(s, pos)
		for mask != 0 {
			i := bits.TrailingZeros64(mask)
			mask &= mask - 1
			if pos < consumed[i] {
				continue
			}
			sp, end, ok := rules[i].matchAt(s, pos)
			consumed[i] = max(consumed[i], end)
			if !ok {
				continue
			}
			sp.rule = i
			spans = append(spans, sp)
			if first {
				return spans
			}
		}
	}
	return merge(spans)
}

// merge sorts spans by start and joins overlapping ones into their union, so
// that a secret found by two rules (a JWT inside an Authorization header, an
// access key ID inside an X-Amz-Credential value) is redacted once and
// entirely. The union is labelled with the earliest rule, which is the most
// specific one.
func merge(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].rule < spans[j].rule
	})
	out := spans[:1]
	for _, sp := range spans[1:] {
		cur := &out[len(out)-1]
		if sp.start >= cur.end {
			out = append(out, sp)
			continue
		}
		cur.end = max(cur.end, sp.end)
		cur.rule = min(cur.rule, sp.rule)
	}
	return out
}
