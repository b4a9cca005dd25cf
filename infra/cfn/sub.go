package cfn

import (
	"fmt"
	"strings"
)

// sub evaluates Fn::Sub in both of its forms: a string, or [string, {var: value}].
// "${Name}" is a variable, a parameter, a pseudo parameter or a resource's Ref;
// "${Name.Attr}" is a GetAtt; "${!Text}" is the literal "${Text}".
func (r resolver) sub(arg any, depth int) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch x := arg.(type) {
	case string:
		tmpl = x
	case []any:
		if len(x) != 2 {
			return nil, fmt.Errorf("Fn::Sub: want [string, variables]")
		}
		s, ok := x[0].(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Sub: template is %T, want a string", x[0])
		}
		m, ok := x[1].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Fn::Sub: variables are %T, want a mapping", x[1])
		}
		tmpl, vars = s, m
	default:
		return nil, fmt.Errorf("Fn::Sub: argument is %T", arg)
	}

	var b strings.Builder
	rest := tmpl
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		b.WriteString(rest[:i])
		rest = rest[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			return nil, fmt.Errorf("Fn::Sub %q: unterminated ${", tmpl)
		}
		name := rest[:j]
		rest = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		s, err := r.subVar(strings.TrimSpace(name), vars, depth)
		if err != nil {
			return nil, fmt.Errorf("Fn::Sub %q: %w", tmpl, err)
		}
		b.WriteString(s)
	}
}

func (r resolver) subVar(name string, vars map[string]any, depth int) (string, error) {
	if v, ok := vars[name]; ok {
		rv, err := r.value(v, depth)
		if err != nil {
			return "", fmt.Errorf("variable %s: %w", name, err)
		}
		s, err := scalarString(rv)
		if err != nil {
			return "", fmt.Errorf("variable %s: %w", name, err)
		}
		return s, nil
	}
	if logical, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
		return r.attr(logical, attr)
	}
	rv, err := r.ref(name)
	if err != nil {
		return "", err
	}
	s, err := scalarString(rv)
	if err != nil {
		return "", fmt.Errorf("${%s}: %w", name, err)
	}
	return s, nil
}
