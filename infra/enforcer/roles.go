package enforcer

import (
	"fmt"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/infra/cfn"
	"github.com/tollgate-dev/tollgate/infra/iampolicy"
)

// role is an IAM role of the template with every policy that applies to it.
type role struct {
	logicalID string
	name      string
	arn       string
	roleID    string
	// policies are the identity-based policies: inline Policies, template
	// managed policies listed in ManagedPolicyArns or naming the role, and
	// AWS::IAM::Policy / AWS::IAM::RolePolicy resources attached to it.
	policies []iampolicy.Policy
	// boundary is the permissions boundary, nil when the role has none.
	boundary   []iampolicy.Policy
	trust      iampolicy.Policy
	maxSession time.Duration
	// tags are the role's own tags, which are principal tags of its sessions.
	tags map[string]string
	// unmodeled lists managed policy ARNs that grant nothing locally.
	unmodeled []string
}

const defaultMaxSession = time.Hour

// managedPolicy is an AWS::IAM::ManagedPolicy of the template.
type managedPolicy struct {
	logicalID string
	arn       string
	policy    iampolicy.Policy
	roles     []string // role names from its Roles property
}

func (m *model) addRoles(t *cfn.Template, env cfn.Env) error {
	managed, err := managedPolicies(t, env)
	if err != nil {
		return err
	}
	attached, err := attachedPolicies(t, env)
	if err != nil {
		return err
	}
	for _, id := range t.ResourcesOfType(cfn.TypeRole) {
		r, err := buildRole(t, env, id, managed, attached)
		if err != nil {
			return fmt.Errorf("role %s: %w", id, err)
		}
		if err := checkConditionKeys(r); err != nil {
			return fmt.Errorf("role %s: %w", id, err)
		}
		m.roles[r.arn] = r
	}
	return nil
}

func buildRole(t *cfn.Template, env cfn.Env, id string, managed map[string]managedPolicy, attached map[string][]iampolicy.Policy) (*role, error) {
	ph := env.Physical[id]
	r := &role{logicalID: id, name: ph.Ref, arn: ph.Attrs["Arn"], roleID: ph.Attrs["RoleId"], maxSession: defaultMaxSession, tags: map[string]string{}}
	if r.arn == "" {
		return nil, fmt.Errorf("no ARN in the environment")
	}
	props := t.Resources[id].Properties

	trust, err := t.Resolve(props["AssumeRolePolicyDocument"], env)
	if err != nil {
		return nil, fmt.Errorf("AssumeRolePolicyDocument: %w", err)
	}
	r.trust, err = iampolicy.Parse(trust)
	if err != nil {
		return nil, fmt.Errorf("AssumeRolePolicyDocument: %w", err)
	}
	if err := r.trust.ValidateTrust(); err != nil {
		return nil, fmt.Errorf("AssumeRolePolicyDocument: %w", err)
	}
	r.trust.Name = id + " trust policy"

	if raw, ok := props["Policies"]; ok {
		v, err := t.Resolve(raw, env)
		if err != nil {
			return nil, fmt.Errorf("Policies: %w", err)
		}
		list, _ := v.([]any)
		for i, pv := range list {
			pm, _ := pv.(map[string]any)
			name, _ := pm["PolicyName"].(string)
			p, err := identityPolicy(pm["PolicyDocument"], name)
			if err != nil {
				return nil, fmt.Errorf("Policies[%d]: %w", i, err)
			}
			r.policies = append(r.policies, p)
		}
	}

	if raw, ok := props["ManagedPolicyArns"]; ok {
		v, err := t.Resolve(raw, env)
		if err != nil {
			return nil, fmt.Errorf("ManagedPolicyArns: %w", err)
		}
		list, _ := v.([]any)
		for _, av := range list {
			arn, _ := av.(string)
			if mp, ok := managed[arn]; ok {
				r.policies = append(r.policies, mp.policy)
				continue
			}
			r.unmodeled = append(r.unmodeled, arn)
		}
	}
	for _, mp := range managed {
		for _, rn := range mp.roles {
			if rn == r.name && !hasPolicy(r.policies, mp.policy.Name) {
				r.policies = append(r.policies, mp.policy)
			}
		}
	}
	r.policies = append(r.policies, attached[r.name]...)

	if raw, ok := props["PermissionsBoundary"]; ok {
		v, err := t.Resolve(raw, env)
		if err != nil {
			return nil, fmt.Errorf("PermissionsBoundary: %w", err)
		}
		arn, _ := v.(string)
		mp, ok := managed[arn]
		if !ok {
			return nil, fmt.Errorf("permissions boundary %q is not a managed policy of the template", arn)
		}
		r.boundary = []iampolicy.Policy{mp.policy}
	}

	if raw, ok := props["MaxSessionDuration"]; ok {
		v, err := t.Resolve(raw, env)
		if err != nil {
			return nil, fmt.Errorf("MaxSessionDuration: %w", err)
		}
		secs, err := strconv.Atoi(fmt.Sprint(v))
		if err != nil || secs < 3600 || secs > 43200 {
			return nil, fmt.Errorf("MaxSessionDuration %v: want 3600 to 43200 seconds", v)
		}
		r.maxSession = time.Duration(secs) * time.Second
	}

	if raw, ok := props["Tags"]; ok {
		v, err := t.Resolve(raw, env)
		if err != nil {
			return nil, fmt.Errorf("Tags: %w", err)
		}
		list, _ := v.([]any)
		for _, tv := range list {
			tm, _ := tv.(map[string]any)
			k, _ := tm["Key"].(string)
			val, _ := tm["Value"].(string)
			if k != "" {
				r.tags[k] = val
			}
		}
	}
	return r, nil
}

func hasPolicy(ps []iampolicy.Policy, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

func identityPolicy(doc any, name string) (iampolicy.Policy, error) {
	p, err := iampolicy.Parse(doc)
	if err != nil {
		return iampolicy.Policy{}, fmt.Errorf("policy %s: %w", name, err)
	}
	if err := p.ValidateIdentity(); err != nil {
		return iampolicy.Policy{}, fmt.Errorf("policy %s: %w", name, err)
	}
	p.Name = name
	return p, nil
}

// managedPolicies resolves the template's AWS::IAM::ManagedPolicy resources,
// keyed by ARN.
func managedPolicies(t *cfn.Template, env cfn.Env) (map[string]managedPolicy, error) {
	out := map[string]managedPolicy{}
	for _, id := range t.ResourcesOfType(cfn.TypeManagedPolicy) {
		arn := env.Physical[id].Ref
		props := t.Resources[id].Properties
		doc, err := t.Resolve(props["PolicyDocument"], env)
		if err != nil {
			return nil, fmt.Errorf("managed policy %s: %w", id, err)
		}
		p, err := identityPolicy(doc, arn)
		if err != nil {
			return nil, fmt.Errorf("managed policy %s: %w", id, err)
		}
		mp := managedPolicy{logicalID: id, arn: arn, policy: p}
		if raw, ok := props["Roles"]; ok {
			names, err := resolveStrings(t, raw, env)
			if err != nil {
				return nil, fmt.Errorf("managed policy %s Roles: %w", id, err)
			}
			mp.roles = names
		}
		out[arn] = mp
	}
	return out, nil
}

// attachedPolicies resolves AWS::IAM::Policy (Roles: [...]) and
// AWS::IAM::RolePolicy (RoleName) resources, keyed by role name.
func attachedPolicies(t *cfn.Template, env cfn.Env) (map[string][]iampolicy.Policy, error) {
	out := map[string][]iampolicy.Policy{}
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::RolePolicy"} {
		for _, id := range t.ResourcesOfType(typ) {
			props := t.Resources[id].Properties
			doc, err := t.Resolve(props["PolicyDocument"], env)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			p, err := identityPolicy(doc, id)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			var roles []string
			if typ == "AWS::IAM::Policy" {
				if raw, ok := props["Roles"]; ok {
					roles, err = resolveStrings(t, raw, env)
				}
			} else {
				roles, err = resolveStrings(t, props["RoleName"], env)
			}
			if err != nil {
				return nil, fmt.Errorf("%s roles: %w", id, err)
			}
			for _, rn := range roles {
				out[rn] = append(out[rn], p)
			}
		}
	}
	return out, nil
}

func resolveStrings(t *cfn.Template, raw any, env cfn.Env) ([]string, error) {
	v, err := t.Resolve(raw, env)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("element is %T, want a string", e)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("is %T, want a string or a list", v)
	}
}
