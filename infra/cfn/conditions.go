package cfn

import (
	"fmt"
	"reflect"
)

// Condition evaluates the named entry of the Conditions section.
func (t *Template) Condition(name string, env Env) (bool, error) {
	return resolver{t: t, env: env}.condition(name, 0)
}

func (r resolver) condition(name string, depth int) (bool, error) {
	if depth > maxDepth {
		return false, fmt.Errorf("condition %s: nested deeper than %d", name, maxDepth)
	}
	expr, ok := r.t.Conditions[name]
	if !ok {
		return false, fmt.Errorf("condition %s: not defined", name)
	}
	b, err := r.condExpr(expr, depth+1)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	return b, nil
}

// condExpr evaluates a condition expression: Fn::Equals, Fn::And, Fn::Or,
// Fn::Not, or {"Condition": name}.
func (r resolver) condExpr(expr any, depth int) (bool, error) {
	if depth > maxDepth {
		return false, fmt.Errorf("condition nested deeper than %d", maxDepth)
	}
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		if b, ok := expr.(bool); ok {
			return b, nil
		}
		return false, fmt.Errorf("condition expression is %T, want one function", expr)
	}
	for fn, arg := range m {
		switch fn {
		case "Condition":
			name, ok := arg.(string)
			if !ok {
				return false, fmt.Errorf("Condition: argument is %T, want a name", arg)
			}
			return r.condition(name, depth+1)
		case "Fn::Equals":
			args, ok := arg.([]any)
			if !ok || len(args) != 2 {
				return false, fmt.Errorf("Fn::Equals: want two values")
			}
			a, err := r.value(args[0], depth+1)
			if err != nil {
				return false, fmt.Errorf("Fn::Equals: %w", err)
			}
			b, err := r.value(args[1], depth+1)
			if err != nil {
				return false, fmt.Errorf("Fn::Equals: %w", err)
			}
			as, aerr := scalarString(a)
			bs, berr := scalarString(b)
			if aerr == nil && berr == nil {
				return as == bs, nil
			}
			return reflect.DeepEqual(a, b), nil
		case "Fn::And", "Fn::Or":
			args, ok := arg.([]any)
			if !ok || len(args) < 2 || len(args) > 10 {
				return false, fmt.Errorf("%s: want 2 to 10 conditions", fn)
			}
			for _, a := range args {
				b, err := r.condExpr(a, depth+1)
				if err != nil {
					return false, fmt.Errorf("%s: %w", fn, err)
				}
				if fn == "Fn::And" && !b {
					return false, nil
				}
				if fn == "Fn::Or" && b {
					return true, nil
				}
			}
			return fn == "Fn::And", nil
		case "Fn::Not":
			args, ok := arg.([]any)
			if !ok || len(args) != 1 {
				return false, fmt.Errorf("Fn::Not: want one condition")
			}
			b, err := r.condExpr(args[0], depth+1)
			if err != nil {
				return false, fmt.Errorf("Fn::Not: %w", err)
			}
			return !b, nil
		default:
			return false, fmt.Errorf("%s: not a condition function", fn)
		}
	}
	return false, fmt.Errorf("empty condition expression")
}

// ifFn evaluates Fn::If [condition, whenTrue, whenFalse].
func (r resolver) ifFn(arg any, depth int) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 3 {
		return nil, fmt.Errorf("Fn::If: want [condition, value if true, value if false]")
	}
	name, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("Fn::If: condition is %T, want a name", args[0])
	}
	b, err := r.condition(name, depth+1)
	if err != nil {
		return nil, fmt.Errorf("Fn::If: %w", err)
	}
	if b {
		return r.value(args[1], depth+1)
	}
	return r.value(args[2], depth+1)
}
