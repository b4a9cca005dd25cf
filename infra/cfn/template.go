package cfn

import (
	"fmt"
	"os"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Template is a parsed CloudFormation (or SAM) template. Every value keeps its
// intrinsic functions as data ({"Ref": …}, {"Fn::Sub": …}); call Resolve to
// evaluate them against the resources that exist.
type Template struct {
	FormatVersion string
	Description   string
	// Transform lists the macros the template names (SAM's among them). They
	// are recorded, not run.
	Transform  []string
	Parameters map[string]Parameter
	Mappings   map[string]any
	Conditions map[string]any
	// Globals is SAM's Globals section, raw.
	Globals   map[string]any
	Resources map[string]Resource
	Outputs   map[string]Output
}

// Resource is one entry of the Resources section.
type Resource struct {
	Type string
	// Properties are raw: intrinsics are kept as {"Ref": …} maps.
	Properties map[string]any
	DependsOn  []string
	// Condition names an entry of the Conditions section that gates the
	// resource; empty when the resource is unconditional.
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Metadata            map[string]any
}

// Parameter is one entry of the Parameters section. Default is the value
// CloudFormation would pass when the deployer gives none; numbers and booleans
// are kept in their string form because that is what Ref returns for them.
type Parameter struct {
	Type          string
	Default       string
	HasDefault    bool
	AllowedValues []string
	Description   string
}

// Output is one entry of the Outputs section.
type Output struct {
	Description string
	Value       any
	Export      any
	Condition   string
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse template %s: %w", path, err)
	}
	return t, nil
}

// Parse parses a template held in memory (YAML or JSON).
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	raw, err := convert(&doc)
	if err != nil {
		return nil, err
	}
	top, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("top level is %T, want a mapping", raw)
	}
	t := &Template{
		Parameters: map[string]Parameter{},
		Resources:  map[string]Resource{},
		Outputs:    map[string]Output{},
	}
	t.FormatVersion, _ = top["AWSTemplateFormatVersion"].(string)
	t.Description, _ = top["Description"].(string)
	switch tr := top["Transform"].(type) {
	case string:
		t.Transform = []string{tr}
	case []any:
		for _, v := range tr {
			if s, ok := v.(string); ok {
				t.Transform = append(t.Transform, s)
			}
		}
	}
	t.Mappings, _ = top["Mappings"].(map[string]any)
	t.Conditions, _ = top["Conditions"].(map[string]any)
	t.Globals, _ = top["Globals"].(map[string]any)
	if err := t.parseParameters(top["Parameters"]); err != nil {
		return nil, err
	}
	if err := t.parseResources(top["Resources"]); err != nil {
		return nil, err
	}
	if err := t.parseOutputs(top["Outputs"]); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Template) parseParameters(v any) error {
	if v == nil {
		return nil
	}
	params, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("parameters: got %T, want a mapping", v)
	}
	for name, pv := range params {
		m, ok := pv.(map[string]any)
		if !ok {
			return fmt.Errorf("parameter %s: got %T, want a mapping", name, pv)
		}
		p := Parameter{}
		p.Type, _ = m["Type"].(string)
		p.Description, _ = m["Description"].(string)
		if d, ok := m["Default"]; ok {
			s, err := scalarString(d)
			if err != nil {
				return fmt.Errorf("parameter %s default: %w", name, err)
			}
			p.Default, p.HasDefault = s, true
		}
		if av, ok := m["AllowedValues"].([]any); ok {
			for _, a := range av {
				s, err := scalarString(a)
				if err != nil {
					return fmt.Errorf("parameter %s allowed values: %w", name, err)
				}
				p.AllowedValues = append(p.AllowedValues, s)
			}
		}
		t.Parameters[name] = p
	}
	return nil
}

func (t *Template) parseResources(v any) error {
	res, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("resources: got %T, want a mapping", v)
	}
	for id, rv := range res {
		m, ok := rv.(map[string]any)
		if !ok {
			return fmt.Errorf("resource %s: got %T, want a mapping", id, rv)
		}
		r := Resource{}
		r.Type, _ = m["Type"].(string)
		if r.Type == "" {
			return fmt.Errorf("resource %s: missing Type", id)
		}
		if p, ok := m["Properties"]; ok && p != nil {
			props, ok := p.(map[string]any)
			if !ok {
				return fmt.Errorf("resource %s properties: got %T, want a mapping", id, p)
			}
			r.Properties = props
		} else {
			r.Properties = map[string]any{}
		}
		switch d := m["DependsOn"].(type) {
		case string:
			r.DependsOn = []string{d}
		case []any:
			for _, x := range d {
				if s, ok := x.(string); ok {
					r.DependsOn = append(r.DependsOn, s)
				}
			}
		}
		r.Condition, _ = m["Condition"].(string)
		r.DeletionPolicy, _ = m["DeletionPolicy"].(string)
		r.UpdateReplacePolicy, _ = m["UpdateReplacePolicy"].(string)
		r.Metadata, _ = m["Metadata"].(map[string]any)
		t.Resources[id] = r
	}
	return nil
}

func (t *Template) parseOutputs(v any) error {
	if v == nil {
		return nil
	}
	outs, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("outputs: got %T, want a mapping", v)
	}
	for name, ov := range outs {
		m, ok := ov.(map[string]any)
		if !ok {
			return fmt.Errorf("output %s: got %T, want a mapping", name, ov)
		}
		o := Output{Value: m["Value"], Export: m["Export"]}
		o.Description, _ = m["Description"].(string)
		o.Condition, _ = m["Condition"].(string)
		t.Outputs[name] = o
	}
	return nil
}

// ResourcesOfType returns the logical IDs of every resource of type typ,
// sorted, so callers iterate in a stable order.
func (t *Template) ResourcesOfType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// scalarString renders a YAML scalar the way CloudFormation passes it to Ref.
func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	default:
		return "", fmt.Errorf("got %T, want a scalar", v)
	}
}
