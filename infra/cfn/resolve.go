package cfn

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Env is what the template is resolved against: the stack's identity and the
// physical resources that exist (created by the local stack, or read from a
// deployed stack).
type Env struct {
	// StackName, Region and AccountID answer the pseudo parameters
	// AWS::StackName, AWS::Region and AWS::AccountId.
	StackName string
	Region    string
	AccountID string
	// Partition defaults to "aws" when empty.
	Partition string
	// Parameters override the template's parameter defaults.
	Parameters map[string]string
	// Physical maps a logical ID to what Ref and GetAtt return for it.
	Physical map[string]Physical
}

// Physical is what one logical resource resolves to: Ref's value and the
// attributes GetAtt can read (for example Table: Ref = table name, Attrs
// {"Arn": …}; queue: Ref = URL, Attrs {"Arn": …, "QueueName": …}).
type Physical struct {
	Ref   string
	Attrs map[string]string
}

// PartitionOrDefault returns the partition, "aws" when unset.
func (e Env) PartitionOrDefault() string {
	if e.Partition == "" {
		return "aws"
	}
	return e.Partition
}

// noValue is what Ref AWS::NoValue resolves to: the enclosing property or
// list element is removed, as CloudFormation does.
type noValue struct{}

// maxDepth bounds recursion through nested intrinsics and conditions, so a
// condition that refers to itself is an error instead of a stack overflow.
const maxDepth = 64

// Resolve evaluates every intrinsic function in v and returns plain values
// (string, []any, map[string]any, bool, numbers). A reference to anything the
// template and env do not define is an error: a policy that cannot be
// resolved must not be silently weakened.
func (t *Template) Resolve(v any, env Env) (any, error) {
	r := resolver{t: t, env: env}
	out, err := r.value(v, 0)
	if err != nil {
		return nil, err
	}
	if _, ok := out.(noValue); ok {
		return nil, nil
	}
	return out, nil
}

type resolver struct {
	t   *Template
	env Env
}

func (r resolver) value(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("intrinsics nested deeper than %d", maxDepth)
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg, depth+1)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			rv, err := r.value(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, skip := rv.(noValue); skip {
				continue
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			rv, err := r.value(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, skip := rv.(noValue); skip {
				continue
			}
			out = append(out, rv)
		}
		return out, nil
	default:
		return v, nil
	}
}

func (r resolver) intrinsic(name string, arg any, depth int) (any, error) {
	switch name {
	case "Ref":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Ref: argument is %T, want a name", arg)
		}
		return r.ref(s)
	case "Fn::GetAtt":
		return r.getAtt(arg, depth)
	case "Fn::Sub":
		return r.sub(arg, depth)
	case "Fn::Join":
		return r.join(arg, depth)
	case "Fn::Select":
		return r.selectFn(arg, depth)
	case "Fn::Split":
		return r.split(arg, depth)
	case "Fn::If":
		return r.ifFn(arg, depth)
	case "Fn::FindInMap":
		return r.findInMap(arg, depth)
	case "Fn::Base64":
		rv, err := r.value(arg, depth)
		if err != nil {
			return nil, fmt.Errorf("Fn::Base64: %w", err)
		}
		s, err := scalarString(rv)
		if err != nil {
			return nil, fmt.Errorf("Fn::Base64: %w", err)
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		b, err := r.condExpr(map[string]any{name: arg}, depth)
		if err != nil {
			return nil, err
		}
		return b, nil
	default:
		return nil, fmt.Errorf("%s: intrinsic function not supported locally", name)
	}
}

// ref resolves Ref: pseudo parameters, template parameters, then resources.
func (r resolver) ref(name string) (any, error) {
	if strings.HasPrefix(name, "AWS::") {
		return r.pseudo(name)
	}
	if p, ok := r.t.Parameters[name]; ok {
		val, given := r.env.Parameters[name]
		if !given {
			if !p.HasDefault {
				return nil, fmt.Errorf("Ref %s: parameter has no default and no value was given", name)
			}
			val = p.Default
		}
		if p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<") {
			parts := strings.Split(val, ",")
			out := make([]any, len(parts))
			for i, s := range parts {
				out[i] = strings.TrimSpace(s)
			}
			return out, nil
		}
		return val, nil
	}
	if _, ok := r.t.Resources[name]; !ok {
		return nil, fmt.Errorf("Ref %s: no such parameter or resource", name)
	}
	ph, ok := r.env.Physical[name]
	if !ok || ph.Ref == "" {
		return nil, fmt.Errorf("Ref %s: resource has no physical ID in the environment", name)
	}
	return ph.Ref, nil
}

func (r resolver) pseudo(name string) (any, error) {
	need := func(v, what string) (any, error) {
		if v == "" {
			return nil, fmt.Errorf("Ref %s: environment has no %s", name, what)
		}
		return v, nil
	}
	switch name {
	case "AWS::StackName":
		return need(r.env.StackName, "stack name")
	case "AWS::Region":
		return need(r.env.Region, "region")
	case "AWS::AccountId":
		return need(r.env.AccountID, "account ID")
	case "AWS::Partition":
		return r.env.PartitionOrDefault(), nil
	case "AWS::URLSuffix":
		if strings.HasPrefix(r.env.PartitionOrDefault(), "aws-cn") {
			return "amazonaws.com.cn", nil
		}
		return "amazonaws.com", nil
	case "AWS::StackId":
		if r.env.StackName == "" || r.env.Region == "" || r.env.AccountID == "" {
			return nil, fmt.Errorf("Ref %s: environment lacks stack name, region or account", name)
		}
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/local", r.env.PartitionOrDefault(), r.env.Region, r.env.AccountID, r.env.StackName), nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	case "AWS::NoValue":
		return noValue{}, nil
	default:
		return nil, fmt.Errorf("Ref %s: unknown pseudo parameter", name)
	}
}

func (r resolver) getAtt(arg any, depth int) (any, error) {
	var logical, attr string
	switch x := arg.(type) {
	case string:
		var found bool
		logical, attr, found = strings.Cut(x, ".")
		if !found {
			return nil, fmt.Errorf("Fn::GetAtt %q: want Logical.Attribute", x)
		}
	case []any:
		if len(x) != 2 {
			return nil, fmt.Errorf("Fn::GetAtt: want [logical, attribute], got %d elements", len(x))
		}
		l, ok := x[0].(string)
		if !ok {
			return nil, fmt.Errorf("Fn::GetAtt: logical ID is %T, want a string", x[0])
		}
		av, err := r.value(x[1], depth)
		if err != nil {
			return nil, fmt.Errorf("Fn::GetAtt %s: %w", l, err)
		}
		a, ok := av.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::GetAtt %s: attribute is %T, want a string", l, av)
		}
		logical, attr = l, a
	default:
		return nil, fmt.Errorf("Fn::GetAtt: argument is %T", arg)
	}
	return r.attr(logical, attr)
}

func (r resolver) attr(logical, attr string) (string, error) {
	if _, ok := r.t.Resources[logical]; !ok {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: no such resource", logical, attr)
	}
	v, ok := r.env.Physical[logical].Attrs[attr]
	if !ok {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: attribute not in the environment", logical, attr)
	}
	return v, nil
}

func (r resolver) join(arg any, depth int) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("Fn::Join: want [delimiter, list]")
	}
	delim, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("Fn::Join: delimiter is %T, want a string", args[0])
	}
	lv, err := r.value(args[1], depth)
	if err != nil {
		return nil, fmt.Errorf("Fn::Join: %w", err)
	}
	list, ok := lv.([]any)
	if !ok {
		return nil, fmt.Errorf("Fn::Join: list resolved to %T", lv)
	}
	parts := make([]string, len(list))
	for i, e := range list {
		s, err := scalarString(e)
		if err != nil {
			return nil, fmt.Errorf("Fn::Join element %d: %w", i, err)
		}
		parts[i] = s
	}
	return strings.Join(parts, delim), nil
}

func (r resolver) selectFn(arg any, depth int) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("Fn::Select: want [index, list]")
	}
	iv, err := r.value(args[0], depth)
	if err != nil {
		return nil, fmt.Errorf("Fn::Select index: %w", err)
	}
	is, err := scalarString(iv)
	if err != nil {
		return nil, fmt.Errorf("Fn::Select index: %w", err)
	}
	idx, err := strconv.Atoi(is)
	if err != nil {
		return nil, fmt.Errorf("Fn::Select index %q: %w", is, err)
	}
	lv, err := r.value(args[1], depth)
	if err != nil {
		return nil, fmt.Errorf("Fn::Select: %w", err)
	}
	list, ok := lv.([]any)
	if !ok {
		return nil, fmt.Errorf("Fn::Select: list resolved to %T", lv)
	}
	if idx < 0 || idx >= len(list) {
		return nil, fmt.Errorf("Fn::Select: index %d out of range [0,%d)", idx, len(list))
	}
	return list[idx], nil
}

func (r resolver) split(arg any, depth int) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return nil, fmt.Errorf("Fn::Split: want [delimiter, string]")
	}
	delim, ok := args[0].(string)
	if !ok || delim == "" {
		return nil, fmt.Errorf("Fn::Split: delimiter must be a non-empty string")
	}
	sv, err := r.value(args[1], depth)
	if err != nil {
		return nil, fmt.Errorf("Fn::Split: %w", err)
	}
	s, ok := sv.(string)
	if !ok {
		return nil, fmt.Errorf("Fn::Split: source resolved to %T, want a string", sv)
	}
	parts := strings.Split(s, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func (r resolver) findInMap(arg any, depth int) (any, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 3 {
		return nil, fmt.Errorf("Fn::FindInMap: want [map, top-level key, second-level key]")
	}
	keys := make([]string, 3)
	for i, a := range args {
		v, err := r.value(a, depth)
		if err != nil {
			return nil, fmt.Errorf("Fn::FindInMap: %w", err)
		}
		s, err := scalarString(v)
		if err != nil {
			return nil, fmt.Errorf("Fn::FindInMap key %d: %w", i, err)
		}
		keys[i] = s
	}
	m, ok := r.t.Mappings[keys[0]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Fn::FindInMap: no mapping %q", keys[0])
	}
	top, ok := m[keys[1]].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Fn::FindInMap: mapping %q has no key %q", keys[0], keys[1])
	}
	v, ok := top[keys[2]]
	if !ok {
		return nil, fmt.Errorf("Fn::FindInMap: mapping %q.%q has no key %q", keys[0], keys[1], keys[2])
	}
	return r.value(v, depth)
}
