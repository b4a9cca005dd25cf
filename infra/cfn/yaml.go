package cfn

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// shortTags maps CloudFormation's YAML short-form tags to the key of their
// long form. Tags not listed here that start with "!" become "Fn::<Name>".
var shortTags = map[string]string{
	"!Ref":       "Ref",
	"!Condition": "Condition",
}

// convert turns a yaml.v3 node tree into plain Go values (map[string]any,
// []any, string, bool, int, float64, nil), rewriting short-form intrinsic tags
// into their long form so the rest of the package sees one shape only.
func convert(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, fmt.Errorf("empty document")
		}
		return convert(n.Content[0])
	case yaml.AliasNode:
		return convert(n.Alias)
	}
	v, err := convertPlain(n)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return v, nil
	}
	key, ok := shortTags[n.Tag]
	if !ok {
		key = "Fn::" + strings.TrimPrefix(n.Tag, "!")
	}
	if key == "Fn::GetAtt" && n.Kind == yaml.ScalarNode {
		// !GetAtt Logical.Attr — the attribute may itself contain dots.
		logical, attr, found := strings.Cut(n.Value, ".")
		if !found {
			return nil, fmt.Errorf("line %d: !GetAtt %q: want Logical.Attribute", n.Line, n.Value)
		}
		v = []any{logical, attr}
	}
	return map[string]any{key: v}, nil
}

// convertPlain converts a node ignoring any custom tag on it.
func convertPlain(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: mapping key is not a scalar", k.Line)
			}
			cv, err := convert(val)
			if err != nil {
				return nil, err
			}
			m[k.Value] = cv
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			cv, err := convert(c)
			if err != nil {
				return nil, err
			}
			s = append(s, cv)
		}
		return s, nil
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			// A tagged scalar is an argument to an intrinsic: keep its text.
			return n.Value, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	case yaml.AliasNode:
		return convert(n.Alias)
	default:
		return nil, fmt.Errorf("line %d: unexpected YAML node kind %d", n.Line, n.Kind)
	}
}
