package enforcer

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// STS limits on session tags.
const (
	maxSessionTags = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// tagPattern is STS's allowed character set for tag keys and values: letters,
// separators, digits and _.:/=+-@. Notably '#' is refused, which is why the
// org tag is the bare org ID and "ORG#" lives in the policy (DESIGN §3).
var tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

const tagPatternText = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`

type sessionTag struct {
	key, value string
}

// parseTags reads Tags.member.N.Key / .Value from an AssumeRole form.
func parseTags(form url.Values) []sessionTag {
	var idx []int
	for k := range form {
		rest, ok := strings.CutPrefix(k, "Tags.member.")
		if !ok {
			continue
		}
		n, field, ok := strings.Cut(rest, ".")
		if !ok || field != "Key" {
			continue
		}
		if i, err := strconv.Atoi(n); err == nil {
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	tags := make([]sessionTag, 0, len(idx))
	for _, i := range idx {
		p := "Tags.member." + strconv.Itoa(i) + "."
		tags = append(tags, sessionTag{key: form.Get(p + "Key"), value: form.Get(p + "Value")})
	}
	return tags
}

// listParam reads a query-protocol list: <name>.member.N.
func listParam(form url.Values, name string) []string {
	var idx []int
	for k := range form {
		if n, ok := strings.CutPrefix(k, name+".member."); ok {
			if i, err := strconv.Atoi(n); err == nil {
				idx = append(idx, i)
			}
		}
	}
	sort.Ints(idx)
	out := make([]string, 0, len(idx))
	for _, i := range idx {
		out = append(out, form.Get(name+".member."+strconv.Itoa(i)))
	}
	return out
}

// validateTags applies STS's checks to session tags and transitive tag keys,
// with STS's error wording.
func validateTags(tags []sessionTag, transitive []string) *awsError {
	if len(tags) > maxSessionTags {
		return validationError(fmt.Sprintf("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionTags))
	}
	seen := map[string]bool{}
	for i, t := range tags {
		at := fmt.Sprintf("tags.%d.member", i+1)
		switch n := utf8.RuneCountInString(t.key); {
		case n < 1:
			return validationError(fmt.Sprintf("1 validation error detected: Value at '%s.key' failed to satisfy constraint: Member must have length greater than or equal to 1", at))
		case n > maxTagKeyLen:
			return validationError(fmt.Sprintf("1 validation error detected: Value at '%s.key' failed to satisfy constraint: Member must have length less than or equal to %d", at, maxTagKeyLen))
		}
		if !tagPattern.MatchString(t.key) {
			return validationError(fmt.Sprintf("1 validation error detected: Value '%s' at '%s.key' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", t.key, at, tagPatternText))
		}
		if utf8.RuneCountInString(t.value) > maxTagValueLen {
			return validationError(fmt.Sprintf("1 validation error detected: Value at '%s.value' failed to satisfy constraint: Member must have length less than or equal to %d", at, maxTagValueLen))
		}
		if !tagPattern.MatchString(t.value) {
			return validationError(fmt.Sprintf("1 validation error detected: Value '%s' at '%s.value' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", t.value, at, tagPatternText))
		}
		if strings.HasPrefix(strings.ToLower(t.key), "aws:") {
			return validationError("Tag keys beginning with 'aws:' are reserved for AWS use")
		}
		lk := strings.ToLower(t.key)
		if seen[lk] {
			return validationError("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[lk] = true
	}
	for _, k := range transitive {
		if !seen[strings.ToLower(k)] {
			return validationError(fmt.Sprintf("The transitive tag key %q is not one of the session tags", k))
		}
	}
	return nil
}
