package iampolicy

import "strings"

// expand substitutes the policy variables in s from ctx. It returns the text
// as pieces (substituted values and escapes are literal) and ok = false when a
// variable has no single value in the request and no default: such a policy
// value is null and must match nothing. With enabled false (policy Version
// other than 2012-10-17) s is returned unchanged, as IAM treats it.
func expand(s string, ctx context, enabled bool) ([]piece, bool) {
	if !enabled || !strings.Contains(s, "${") {
		return []piece{{text: s}}, true
	}
	var out []piece
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			break
		}
		if i > 0 {
			out = append(out, piece{text: rest[:i]})
		}
		body := rest[i+2 : i+j]
		rest = rest[i+j+1:]
		switch body {
		case "*", "?", "$":
			out = append(out, piece{text: body, literal: true})
			continue
		}
		val, ok := variable(body, ctx)
		if !ok {
			return nil, false
		}
		out = append(out, piece{text: val, literal: true})
	}
	if rest != "" {
		out = append(out, piece{text: rest})
	}
	return out, true
}

// variable looks up one ${key} or ${key, 'default'} body.
func variable(body string, ctx context) (string, bool) {
	key, def, hasDefault := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if hasDefault {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return "", false
		}
		def = def[1 : len(def)-1]
	}
	vals := ctx.get(key)
	if len(vals) == 1 {
		return vals[0], true
	}
	// Absent, or multivalued (which IAM cannot substitute).
	if hasDefault {
		return def, true
	}
	return "", false
}

// context is a request context with lower-cased keys: condition key names are
// case-insensitive in IAM.
type context map[string][]string

func newContext(m map[string][]string) context {
	c := make(context, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		c[lk] = append(c[lk], v...)
	}
	return c
}

func (c context) get(key string) []string {
	return c[strings.ToLower(key)]
}
