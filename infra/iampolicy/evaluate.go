package iampolicy

import (
	"strings"
)

// Request is what one authorization decides: an action on a resource with the
// request context (condition keys, case-insensitive, each possibly
// multivalued).
type Request struct {
	Action   string
	Resource string
	Context  map[string][]string
}

// Outcome is the result of an evaluation.
type Outcome uint8

// The three outcomes of IAM policy evaluation.
const (
	ImplicitDeny Outcome = iota // no statement allowed the request
	Allow                       // a statement allowed it and none denied it
	ExplicitDeny                // a Deny statement applied
)

// String returns the outcome's name as IAM documentation writes it.
func (o Outcome) String() string {
	switch o {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	default:
		return "ImplicitDeny"
	}
}

// Decision is an outcome with the statement that decided it, so a refusal can
// be explained (and a test can assert which statement fired).
type Decision struct {
	Outcome Outcome
	// Policy is the deciding policy's Name; empty for ImplicitDeny.
	Policy string
	// Sid is the deciding statement's Sid (possibly empty).
	Sid string
	// Statement is the deciding statement's index in its policy, -1 for
	// ImplicitDeny.
	Statement int
}

// Allowed reports whether the request may proceed.
func (d Decision) Allowed() bool { return d.Outcome == Allow }

// Evaluate decides req against identity-based policies: an explicit Deny in
// any of them wins; otherwise an Allow in any of them allows; otherwise the
// request is implicitly denied. Principal elements are ignored (identity
// policies have none; see ValidateIdentity).
func Evaluate(policies []Policy, req Request) Decision {
	ctx := newContext(req.Context)
	allow := Decision{Outcome: ImplicitDeny, Statement: -1}
	for _, p := range policies {
		vars := p.Version == VersionCurrent
		for i, st := range p.Statements {
			if !st.appliesTo(req, ctx, vars) {
				continue
			}
			if st.Effect == EffectDeny {
				return Decision{Outcome: ExplicitDeny, Policy: p.Name, Sid: st.Sid, Statement: i}
			}
			if allow.Outcome != Allow {
				allow = Decision{Outcome: Allow, Policy: p.Name, Sid: st.Sid, Statement: i}
			}
		}
	}
	return allow
}

// EvaluateTrust decides req against a resource-based policy such as a role's
// trust policy: a statement applies only when its Principal names
// principalARN (or NotPrincipal does not). The caller puts the request's keys
// (aws:RequestTag/…, aws:TagKeys, aws:PrincipalArn, …) in req.Context.
//
// principalARN matches an AWS principal entry that is equal to it, "*", the
// root of its account ("arn:aws:iam::123456789012:root") or the bare account
// ID; it matches a Service or Federated entry equal to it. For a role session
// pass the role's ARN: IAM matches sessions against the role they came from.
func EvaluateTrust(policy Policy, principalARN string, req Request) Decision {
	ctx := newContext(req.Context)
	vars := policy.Version == VersionCurrent
	allow := Decision{Outcome: ImplicitDeny, Statement: -1}
	for i, st := range policy.Statements {
		switch {
		case st.Principal != nil:
			if !st.Principal.matches(principalARN) {
				continue
			}
		case st.NotPrincipal != nil:
			if st.NotPrincipal.matches(principalARN) {
				continue
			}
		default:
			continue
		}
		if !st.appliesTo(req, ctx, vars) {
			continue
		}
		if st.Effect == EffectDeny {
			return Decision{Outcome: ExplicitDeny, Policy: policy.Name, Sid: st.Sid, Statement: i}
		}
		if allow.Outcome != Allow {
			allow = Decision{Outcome: Allow, Policy: policy.Name, Sid: st.Sid, Statement: i}
		}
	}
	return allow
}

// appliesTo reports whether the statement's action, resource and conditions
// all match.
func (st Statement) appliesTo(req Request, ctx context, vars bool) bool {
	if st.Action != nil && !anyAction(st.Action, req.Action) {
		return false
	}
	if st.NotAction != nil && anyAction(st.NotAction, req.Action) {
		return false
	}
	if st.Resource != nil && !anyResource(st.Resource, req.Resource, ctx, vars) {
		return false
	}
	if st.NotResource != nil && anyResource(st.NotResource, req.Resource, ctx, vars) {
		return false
	}
	for _, c := range st.Conditions {
		if !c.holds(ctx, vars) {
			return false
		}
	}
	return true
}

func anyAction(patterns []string, action string) bool {
	for _, p := range patterns {
		if matchAction(p, action) {
			return true
		}
	}
	return false
}

func anyResource(patterns []string, resource string, ctx context, vars bool) bool {
	for _, p := range patterns {
		if p == "*" {
			return true
		}
		pcs, ok := expand(p, ctx, vars)
		if !ok {
			continue // a variable without a value matches no resource
		}
		if compileResource(pcs).match(resource, false) {
			return true
		}
	}
	return false
}

func (p *Principal) matches(arn string) bool {
	if p.All {
		return true
	}
	acct := accountOf(arn)
	for _, a := range p.AWS {
		if a == arn || (acct != "" && a == acct) {
			return true
		}
		if root, ok := strings.CutSuffix(a, ":root"); ok && strings.HasPrefix(a, "arn:") {
			parts := strings.Split(root, ":")
			if len(parts) == 5 && acct != "" && parts[4] == acct {
				return true
			}
		}
	}
	for _, s := range p.Service {
		if s == arn {
			return true
		}
	}
	for _, f := range p.Federated {
		if f == arn {
			return true
		}
	}
	return false
}

// accountOf returns the account component of an ARN, "" if there is none.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
