package iampolicy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Condition is one (operator, key, values) triple of a Condition block.
type Condition struct {
	// Operator as written, e.g. "ForAllValues:StringLike" or "StringEqualsIfExists".
	Operator string
	Key      string
	Values   []string

	base     baseOp
	set      setKind
	ifExists bool
}

type setKind uint8

const (
	setNone setKind = iota
	setAll
	setAny
)

type opKind uint8

const (
	kindString opKind = iota
	kindStringIgnoreCase
	kindStringLike
	kindNumeric
	kindBool
	kindARN
	kindNull
)

// baseOp is an operator without its set prefix and IfExists suffix.
type baseOp struct {
	kind    opKind
	negated bool
	// cmp compares request and policy numbers for numeric operators.
	cmp func(req, pol float64) bool
}

var baseOps = map[string]baseOp{
	"StringEquals":              {kind: kindString},
	"StringNotEquals":           {kind: kindString, negated: true},
	"StringEqualsIgnoreCase":    {kind: kindStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {kind: kindStringIgnoreCase, negated: true},
	"StringLike":                {kind: kindStringLike},
	"StringNotLike":             {kind: kindStringLike, negated: true},
	"NumericEquals":             {kind: kindNumeric, cmp: func(a, b float64) bool { return a == b }},
	"NumericNotEquals":          {kind: kindNumeric, negated: true, cmp: func(a, b float64) bool { return a == b }},
	"NumericLessThan":           {kind: kindNumeric, cmp: func(a, b float64) bool { return a < b }},
	"NumericLessThanEquals":     {kind: kindNumeric, cmp: func(a, b float64) bool { return a <= b }},
	"NumericGreaterThan":        {kind: kindNumeric, cmp: func(a, b float64) bool { return a > b }},
	"NumericGreaterThanEquals":  {kind: kindNumeric, cmp: func(a, b float64) bool { return a >= b }},
	"Bool":                      {kind: kindBool},
	"ArnEquals":                 {kind: kindARN},
	"ArnLike":                   {kind: kindARN},
	"ArnNotEquals":              {kind: kindARN, negated: true},
	"ArnNotLike":                {kind: kindARN, negated: true},
	"Null":                      {kind: kindNull},
}

// parseOperator splits "ForAllValues:StringLikeIfExists" into its parts.
func parseOperator(op string) (baseOp, setKind, bool, error) {
	name := op
	set := setNone
	switch {
	case strings.HasPrefix(name, "ForAllValues:"):
		set, name = setAll, strings.TrimPrefix(name, "ForAllValues:")
	case strings.HasPrefix(name, "ForAnyValue:"):
		set, name = setAny, strings.TrimPrefix(name, "ForAnyValue:")
	}
	ifExists := false
	if n, ok := strings.CutSuffix(name, "IfExists"); ok {
		name, ifExists = n, true
	}
	b, ok := baseOps[name]
	if !ok {
		return baseOp{}, 0, false, fmt.Errorf("condition operator %q is not supported", op)
	}
	if b.kind == kindNull && (ifExists || set != setNone) {
		return baseOp{}, 0, false, fmt.Errorf("condition operator %q: Null takes no prefix or IfExists", op)
	}
	return b, set, ifExists, nil
}

// parseConditions reads a Condition element: {operator: {key: values}}.
// The result is sorted by operator and key so evaluation order is stable.
func parseConditions(v any) ([]Condition, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Condition is %T, want an object", v)
	}
	var out []Condition
	for op, kv := range m {
		b, set, ifExists, err := parseOperator(op)
		if err != nil {
			return nil, err
		}
		keys, ok := kv.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Condition %s is %T, want an object of keys", op, kv)
		}
		for key, vals := range keys {
			values, err := scalarList(op+" "+key, vals)
			if err != nil {
				return nil, err
			}
			out = append(out, Condition{Operator: op, Key: key, Values: values, base: b, set: set, ifExists: ifExists})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Operator != out[j].Operator {
			return out[i].Operator < out[j].Operator
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// holds evaluates the condition against the request context.
func (c Condition) holds(ctx context, varsEnabled bool) bool {
	vals := ctx.get(c.Key)
	present := len(vals) > 0

	if c.base.kind == kindNull {
		for _, pv := range c.Values {
			switch strings.ToLower(pv) {
			case "true":
				if !present {
					return true
				}
			case "false":
				if present {
					return true
				}
			}
		}
		return false
	}

	pols := c.policyValues(ctx, varsEnabled)
	if c.base.negated {
		// A negated comparison against a value whose variable has no
		// value does not hold: IAM treats the statement as not applying,
		// rather than "null is unequal to everything".
		for _, pv := range pols {
			if pv.null {
				return false
			}
		}
	}
	// matchOne: does one request value satisfy the operator?
	matchOne := func(v string) bool {
		m := c.anyPolicyMatch(pols, v)
		if c.base.negated {
			return !m
		}
		return m
	}

	switch c.set {
	case setAll:
		for _, v := range vals {
			if !matchOne(v) {
				return false
			}
		}
		return true // vacuously true for an absent or empty key
	case setAny:
		if !present {
			return c.ifExists
		}
		for _, v := range vals {
			if matchOne(v) {
				return true
			}
		}
		return false
	}

	if !present {
		return c.ifExists || c.base.negated
	}
	matched := false
	for _, v := range vals {
		if c.anyPolicyMatch(pols, v) {
			matched = true
			break
		}
	}
	if c.base.negated {
		return !matched
	}
	return matched
}

// policyValue is one condition value after variable substitution; null marks
// a value whose variable had no value (it matches nothing).
type policyValue struct {
	pieces []piece
	null   bool
}

func (c Condition) policyValues(ctx context, varsEnabled bool) []policyValue {
	// IAM substitutes variables only in string and ARN comparisons.
	subst := varsEnabled && (c.base.kind == kindString || c.base.kind == kindStringIgnoreCase ||
		c.base.kind == kindStringLike || c.base.kind == kindARN)
	out := make([]policyValue, len(c.Values))
	for i, v := range c.Values {
		pcs, ok := expand(v, ctx, subst)
		out[i] = policyValue{pieces: pcs, null: !ok}
	}
	return out
}

// anyPolicyMatch reports whether request value v matches at least one policy
// value under the positive form of the operator.
func (c Condition) anyPolicyMatch(pols []policyValue, v string) bool {
	for _, pv := range pols {
		if pv.null {
			continue
		}
		if c.positiveMatch(pv.pieces, v) {
			return true
		}
	}
	return false
}

func (c Condition) positiveMatch(pcs []piece, v string) bool {
	switch c.base.kind {
	case kindString:
		return plain(pcs) == v
	case kindStringIgnoreCase:
		return strings.EqualFold(plain(pcs), v)
	case kindStringLike:
		return compile(pcs).match(v, false)
	case kindNumeric:
		pol, err1 := strconv.ParseFloat(plain(pcs), 64)
		req, err2 := strconv.ParseFloat(v, 64)
		return err1 == nil && err2 == nil && c.base.cmp(req, pol)
	case kindBool:
		return strings.EqualFold(plain(pcs), v)
	case kindARN:
		return matchARN(pcs, v)
	default:
		return false
	}
}
