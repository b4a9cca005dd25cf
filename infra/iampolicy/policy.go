package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// VersionCurrent is the policy language version that enables policy variables.
const VersionCurrent = "2012-10-17"

// Policy is one parsed policy document.
type Policy struct {
	// Name identifies the policy in decisions (an inline policy's PolicyName,
	// a managed policy's ARN, "trust" for a trust policy).
	Name       string
	Version    string
	ID         string
	Statements []Statement
}

// Effect is a statement's Effect element.
type Effect string

// The two effects a statement can have.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// Statement is one element of a policy's Statement list. A nil Resource and
// NotResource means the element is absent (as in trust policies); an empty,
// non-nil slice matches nothing.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Conditions   []Condition
}

// Principal is a Principal or NotPrincipal element.
type Principal struct {
	// All is true for "*" and {"AWS": "*"}.
	All           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Parse reads a policy document already decoded into Go values: a
// map[string]any as produced by cfn.Template.Resolve or encoding/json.
func Parse(doc any) (Policy, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return Policy{}, fmt.Errorf("policy document is %T, want an object", doc)
	}
	var p Policy
	for k, v := range m {
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok {
				return Policy{}, fmt.Errorf("Version is %T, want a string", v)
			}
			p.Version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				return Policy{}, fmt.Errorf("Id is %T, want a string", v)
			}
			p.ID = s
		case "Statement":
		default:
			return Policy{}, fmt.Errorf("unknown policy element %q", k)
		}
	}
	raw, ok := m["Statement"]
	if !ok {
		return Policy{}, fmt.Errorf("policy has no Statement")
	}
	var list []any
	switch x := raw.(type) {
	case map[string]any:
		list = []any{x}
	case []any:
		list = x
	default:
		return Policy{}, fmt.Errorf("Statement is %T, want an object or a list", raw)
	}
	for i, sv := range list {
		st, err := parseStatement(sv)
		if err != nil {
			return Policy{}, fmt.Errorf("statement %d: %w", i, err)
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

// ParseJSON parses a policy document from its JSON text.
func ParseJSON(data []byte) (Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return Policy{}, fmt.Errorf("decode policy JSON: %w", err)
	}
	return Parse(doc)
}

func parseStatement(v any) (Statement, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Statement{}, fmt.Errorf("is %T, want an object", v)
	}
	var st Statement
	var err error
	for k, val := range m {
		switch k {
		case "Sid":
			s, ok := val.(string)
			if !ok {
				return Statement{}, fmt.Errorf("Sid is %T, want a string", val)
			}
			st.Sid = s
		case "Effect":
			s, _ := val.(string)
			switch Effect(s) {
			case EffectAllow, EffectDeny:
				st.Effect = Effect(s)
			default:
				return Statement{}, fmt.Errorf("Effect %v: want Allow or Deny", val)
			}
		case "Action":
			st.Action, err = stringList(k, val)
		case "NotAction":
			st.NotAction, err = stringList(k, val)
		case "Resource":
			st.Resource, err = stringList(k, val)
		case "NotResource":
			st.NotResource, err = stringList(k, val)
		case "Principal":
			st.Principal, err = parsePrincipal(val)
		case "NotPrincipal":
			st.NotPrincipal, err = parsePrincipal(val)
		case "Condition":
			st.Conditions, err = parseConditions(val)
		default:
			return Statement{}, fmt.Errorf("unknown statement element %q", k)
		}
		if err != nil {
			return Statement{}, err
		}
	}
	label := st.Sid
	if label == "" {
		label = "(no Sid)"
	}
	if st.Effect == "" {
		return Statement{}, fmt.Errorf("%s: missing Effect", label)
	}
	if (st.Action == nil) == (st.NotAction == nil) {
		return Statement{}, fmt.Errorf("%s: want exactly one of Action and NotAction", label)
	}
	if st.Resource != nil && st.NotResource != nil {
		return Statement{}, fmt.Errorf("%s: both Resource and NotResource", label)
	}
	if st.Principal != nil && st.NotPrincipal != nil {
		return Statement{}, fmt.Errorf("%s: both Principal and NotPrincipal", label)
	}
	for _, a := range append(append([]string{}, st.Action...), st.NotAction...) {
		if a != "*" && !strings.Contains(a, ":") {
			return Statement{}, fmt.Errorf("%s: action %q is not service:action", label, a)
		}
	}
	return st, nil
}

func parsePrincipal(v any) (*Principal, error) {
	if s, ok := v.(string); ok {
		if s != "*" {
			return nil, fmt.Errorf("Principal %q: a string principal must be \"*\"", s)
		}
		return &Principal{All: true}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Principal is %T, want \"*\" or an object", v)
	}
	p := &Principal{}
	for k, val := range m {
		list, err := stringList("Principal "+k, val)
		if err != nil {
			return nil, err
		}
		switch k {
		case "AWS":
			for _, a := range list {
				if a == "*" {
					p.All = true
				}
			}
			p.AWS = list
		case "Service":
			p.Service = list
		case "Federated":
			p.Federated = list
		case "CanonicalUser":
			p.CanonicalUser = list
		default:
			return nil, fmt.Errorf("unknown principal type %q", k)
		}
	}
	return p, nil
}

// stringList reads an element that is a string or a list of strings.
func stringList(name string, v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s: element is %T, want a string", name, e)
			}
			out = append(out, s)
		}
		return out, nil
	case []string:
		return append([]string{}, x...), nil
	default:
		return nil, fmt.Errorf("%s is %T, want a string or a list of strings", name, v)
	}
}

// scalarList reads condition values: strings, booleans and numbers, alone or
// in a list, all compared as text.
func scalarList(name string, v any) ([]string, error) {
	one := func(e any) (string, error) {
		switch x := e.(type) {
		case string:
			return x, nil
		case bool:
			return strconv.FormatBool(x), nil
		case json.Number:
			return x.String(), nil
		case int:
			return strconv.Itoa(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case uint64:
			return strconv.FormatUint(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		default:
			return "", fmt.Errorf("%s: value is %T, want a string, number or boolean", name, e)
		}
	}
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, err := one(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := one(v)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// ValidateIdentity checks what IAM requires of an identity-based policy: no
// Principal, and a Resource or NotResource in every statement. It keeps a
// policy IAM would refuse from being evaluated as if it were valid.
func (p Policy) ValidateIdentity() error {
	for i, st := range p.Statements {
		if st.Principal != nil || st.NotPrincipal != nil {
			return fmt.Errorf("statement %d (%s): identity policies have no Principal", i, st.Sid)
		}
		if st.Resource == nil && st.NotResource == nil {
			return fmt.Errorf("statement %d (%s): missing Resource", i, st.Sid)
		}
	}
	return nil
}

// ValidateTrust checks what IAM requires of a role trust policy: a Principal
// (or NotPrincipal) in every statement and no Resource.
func (p Policy) ValidateTrust() error {
	for i, st := range p.Statements {
		if st.Principal == nil && st.NotPrincipal == nil {
			return fmt.Errorf("statement %d (%s): trust policy statement has no Principal", i, st.Sid)
		}
		if st.Resource != nil || st.NotResource != nil {
			return fmt.Errorf("statement %d (%s): trust policies have no Resource", i, st.Sid)
		}
	}
	return nil
}

// ConditionKeys returns the condition keys the policy tests, lower-cased,
// sorted and without duplicates. Callers that build request contexts use it to
// refuse policies that test keys they do not supply (an absent key would make
// a ForAllValues condition vacuously true).
func (p Policy) ConditionKeys() []string {
	seen := map[string]bool{}
	for _, st := range p.Statements {
		for _, c := range st.Conditions {
			seen[strings.ToLower(c.Key)] = true
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WithoutAllowsConditionedOn returns a copy of p without the Allow statements
// that test key. A caller that cannot compute a key for some request uses it
// to fail closed: an Allow that depends on the missing key can no longer apply,
// while Deny statements still do.
func (p Policy) WithoutAllowsConditionedOn(key string) Policy {
	out := p
	out.Statements = nil
	for _, st := range p.Statements {
		if st.Effect == EffectAllow && st.testsKey(key) {
			continue
		}
		out.Statements = append(out.Statements, st)
	}
	return out
}

func (st Statement) testsKey(key string) bool {
	for _, c := range st.Conditions {
		if strings.EqualFold(c.Key, key) {
			return true
		}
	}
	return false
}
