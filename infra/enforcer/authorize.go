package enforcer

import (
	"fmt"
	"maps"
	"sort"

	"github.com/tollgate-dev/tollgate/infra/iampolicy"
)

// check is one IAM authorization a request needs. A request may need several
// (one per table of a batch, one per transaction item).
type check struct {
	action   string
	resource string
	// context holds the request-specific condition keys; the caller's keys
	// (aws:PrincipalTag/…, aws:PrincipalArn, …) are added by authorize.
	context map[string][]string
	// uncomputable names a condition key the enforcer cannot compute for this
	// request; Allow statements testing it do not apply (fail closed).
	uncomputable string
	// refusal, when set, denies the check outright: the enforcer could not
	// map the request to what IAM would evaluate.
	refusal string
}

// caller is an authenticated principal.
type caller struct {
	operator    bool
	accessKeyID string
	// arn is the principal ARN in messages: the assumed-role session ARN.
	arn  string
	sess *session
}

// verdict is the outcome of authorizing one check.
type verdict struct {
	decision iampolicy.Decision
	// policyType names the kind of policy that failed to allow
	// ("identity-based policy", "permissions boundary", "session policy").
	policyType string
	refusal    string
}

func (v verdict) allowed() bool { return v.refusal == "" && v.decision.Allowed() }

// authorize evaluates ch for c against the current model.
func (e *Enforcer) authorize(m *model, c *caller, ch check) verdict {
	if c.operator {
		return verdict{decision: iampolicy.Decision{Outcome: iampolicy.Allow, Policy: "operator", Statement: -1}}
	}
	if ch.refusal != "" {
		return verdict{refusal: ch.refusal, decision: iampolicy.Decision{Outcome: iampolicy.ImplicitDeny, Statement: -1}}
	}
	r := m.roles[c.sess.roleARN]
	if r == nil {
		return verdict{decision: iampolicy.Decision{Outcome: iampolicy.ImplicitDeny, Statement: -1}, policyType: "identity-based policy"}
	}
	req := iampolicy.Request{Action: ch.action, Resource: ch.resource, Context: e.requestContext(m, c, ch.context)}
	filter := func(ps []iampolicy.Policy) []iampolicy.Policy {
		if ch.uncomputable == "" {
			return ps
		}
		out := make([]iampolicy.Policy, len(ps))
		for i, p := range ps {
			out[i] = p.WithoutAllowsConditionedOn(ch.uncomputable)
		}
		return out
	}

	type layer struct {
		name     string
		policies []iampolicy.Policy
	}
	layers := []layer{{"identity-based policy", filter(r.policies)}}
	if r.boundary != nil {
		layers = append(layers, layer{"permissions boundary", filter(r.boundary)})
	}
	if c.sess.policy != nil {
		layers = append(layers, layer{"session policy", filter([]iampolicy.Policy{*c.sess.policy})})
	}
	var firstGap *verdict
	var allow iampolicy.Decision
	for _, l := range layers {
		d := iampolicy.Evaluate(l.policies, req)
		switch d.Outcome {
		case iampolicy.ExplicitDeny:
			return verdict{decision: d, policyType: l.name}
		case iampolicy.ImplicitDeny:
			if firstGap == nil {
				firstGap = &verdict{decision: d, policyType: l.name}
			}
		default:
			if allow.Outcome != iampolicy.Allow {
				allow = d
			}
		}
	}
	if firstGap != nil {
		return *firstGap
	}
	return verdict{decision: allow}
}

// requestContext merges the caller's condition keys with the request's.
func (e *Enforcer) requestContext(m *model, c *caller, extra map[string][]string) map[string][]string {
	ctx := map[string][]string{
		"aws:PrincipalArn":     {c.sess.roleARN},
		"aws:PrincipalAccount": {m.account},
		"aws:PrincipalType":    {"AssumedRole"},
		"aws:userid":           {c.sess.userID},
		"aws:RequestedRegion":  {m.region},
		"aws:SecureTransport":  {"true"},
		"aws:ViaAWSService":    {"false"},
		"kms:CallerAccount":    {m.account},
	}
	for k, v := range c.sess.tags {
		ctx["aws:PrincipalTag/"+k] = []string{v}
	}
	maps.Copy(ctx, extra)
	return ctx
}

// denialMessage words a refusal as IAM does.
func denialMessage(c *caller, ch check, v verdict) string {
	base := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", c.arn, ch.action, ch.resource)
	switch {
	case v.refusal != "":
		return base + " because " + v.refusal
	case v.decision.Outcome == iampolicy.ExplicitDeny:
		return base + " with an explicit deny in a" + article(v.policyType) + " " + v.policyType
	default:
		return base + " because no " + v.policyType + " allows the " + ch.action + " action"
	}
}

func article(s string) string {
	if s != "" && (s[0] == 'i' || s[0] == 'a') {
		return "n"
	}
	return ""
}

// sortedUnique returns the distinct values of s in order (for stable
// contexts and logs).
func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return s
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	j := 0
	for i := range out {
		if i == 0 || out[i] != out[j-1] {
			out[j] = out[i]
			j++
		}
	}
	return out[:j]
}
