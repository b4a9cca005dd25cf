package enforcer

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/infra/iampolicy"
)

const (
	minSessionDuration = 15 * time.Minute
	maxSessionDuration = 12 * time.Hour
	// chainedMaxDuration is STS's cap for a role session assuming a role.
	chainedMaxDuration = time.Hour
	// maxSTSResponse bounds what is read from the emulator's AssumeRole answer.
	maxSTSResponse = 1 << 20
)

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// assumeRoleParams is an AssumeRole request after validation.
type assumeRoleParams struct {
	roleARN     string
	sessionName string
	duration    time.Duration
	tags        []sessionTag
	transitive  []string
	policy      *iampolicy.Policy
}

func parseAssumeRole(form url.Values) (assumeRoleParams, *awsError) {
	p := assumeRoleParams{roleARN: form.Get("RoleArn"), sessionName: form.Get("RoleSessionName"), duration: time.Hour}
	if p.roleARN == "" {
		return p, validationError("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	}
	if !sessionNamePattern.MatchString(p.sessionName) {
		return p, validationError(fmt.Sprintf("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64", p.sessionName))
	}
	if ds := form.Get("DurationSeconds"); ds != "" {
		secs, err := strconv.Atoi(ds)
		if err != nil {
			return p, validationError("DurationSeconds must be an integer")
		}
		p.duration = time.Duration(secs) * time.Second
		if p.duration < minSessionDuration {
			return p, validationError("1 validation error detected: Value '" + ds + "' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")
		}
		if p.duration > maxSessionDuration {
			return p, validationError("1 validation error detected: Value '" + ds + "' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200")
		}
	}
	p.tags = parseTags(form)
	p.transitive = listParam(form, "TransitiveTagKeys")
	if e := validateTags(p.tags, p.transitive); e != nil {
		return p, e
	}
	for k := range form {
		if strings.HasPrefix(k, "PolicyArns.") {
			return p, validationError("Managed session policies (PolicyArns) are not supported by the local enforcing endpoint; pass an inline Policy")
		}
	}
	if doc := form.Get("Policy"); doc != "" {
		sp, err := iampolicy.ParseJSON([]byte(doc))
		if err == nil {
			err = sp.ValidateIdentity()
		}
		if err != nil {
			return p, malformedPolicy("The session policy is malformed: " + err.Error())
		}
		sp.Name = "session policy"
		p.policy = &sp
	}
	return p, nil
}

// assumeRole authorizes and forwards an AssumeRole, then records the issued
// credentials so later requests signed with them can be authorized.
func (e *Enforcer) assumeRole(w http.ResponseWriter, r *http.Request, body []byte, form url.Values, m *model, c *caller, wi wire) outcome {
	p, verr := parseAssumeRole(form)
	if verr != nil {
		wi.write(w, verr)
		return outcomeRejected
	}
	target := m.roles[p.roleARN]
	if target != nil && p.duration > target.maxSession {
		wi.write(w, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role."))
		return outcomeRejected
	}

	tags := map[string]string{}
	transitive := append([]string(nil), p.transitive...)
	if !c.operator {
		if p.duration > chainedMaxDuration {
			wi.write(w, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."))
			return outcomeRejected
		}
		// Transitive tags of the calling session pass on and cannot be
		// overridden.
		for _, k := range c.sess.transitive {
			for _, t := range p.tags {
				if strings.EqualFold(t.key, k) {
					wi.write(w, validationError(fmt.Sprintf("The tag key %q is a transitive tag of the calling session and cannot be overridden", t.key)))
					return outcomeRejected
				}
			}
			tags[k] = c.sess.tags[k]
			transitive = append(transitive, k)
		}
		if refused := e.authorizeAssumeRole(m, c, target, p); refused != "" {
			wi.write(w, accessDenied(refused))
			return outcomeDenied
		}
	} else if target == nil {
		e.log.Warn("operator assumed a role the template does not define; its session will be denied everything",
			"role_arn", p.roleARN)
	}
	for _, t := range p.tags {
		tags[t.key] = t.value
	}

	resp, err := e.roundTrip(r, body, e.cfg.Moto)
	if err != nil {
		e.log.Error("sts upstream unreachable", "err", err)
		wi.write(w, serviceUnavailable())
		return outcomeUpstreamError
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSTSResponse))
	if err != nil {
		e.log.Error("read sts upstream answer", "err", err)
		wi.write(w, serviceUnavailable())
		return outcomeUpstreamError
	}
	if resp.StatusCode == http.StatusOK {
		sess, err := parseIssuedSession(data)
		if err != nil {
			e.log.Error("unreadable AssumeRole answer from upstream", "err", err)
			wi.write(w, serviceUnavailable())
			return outcomeUpstreamError
		}
		if sess.expires.IsZero() {
			sess.expires = e.now().Add(p.duration)
		}
		sess.roleARN = p.roleARN
		sess.roleName = lastSegment(p.roleARN)
		sess.sessionName = p.sessionName
		if target != nil {
			sess.roleName = target.name
			sess.tags = maps.Clone(target.tags)
			if sess.userID == "" {
				sess.userID = target.roleID + ":" + p.sessionName
			}
		}
		if sess.tags == nil {
			sess.tags = map[string]string{}
		}
		maps.Copy(sess.tags, tags)
		sess.transitive = transitive
		sess.policy = p.policy
		e.sessions.put(sess, e.now())
		e.log.Info("session issued", "access_key_id", sess.accessKeyID, "role", sess.roleName,
			"session", sess.sessionName, "tags", sess.tags, "expires", sess.expires.UTC().Format(time.RFC3339))
	}
	copyResponse(w, resp, data)
	return outcomeAllowed
}

// authorizeAssumeRole checks a role session's AssumeRole (and TagSession when
// tags are passed) against its identity policies and the target's trust
// policy. It returns the refusal message, "" when allowed.
func (e *Enforcer) authorizeAssumeRole(m *model, c *caller, target *role, p assumeRoleParams) string {
	reqCtx := map[string][]string{"sts:RoleSessionName": {p.sessionName}}
	if len(p.tags) > 0 {
		keys := make([]string, 0, len(p.tags))
		for _, t := range p.tags {
			reqCtx["aws:RequestTag/"+t.key] = []string{t.value}
			keys = append(keys, t.key)
		}
		reqCtx["aws:TagKeys"] = keys
	}
	if len(p.transitive) > 0 {
		reqCtx["sts:TransitiveTagKeys"] = p.transitive
	}
	actions := []string{"sts:AssumeRole"}
	if len(p.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	for _, action := range actions {
		msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", c.arn, action, p.roleARN)
		v := e.authorize(m, c, check{action: action, resource: p.roleARN, context: reqCtx})
		if !v.allowed() {
			e.logDenial(c, check{action: action, resource: p.roleARN}, v)
			return msg
		}
		if target == nil {
			e.log.Info("access denied", "access_key_id", c.accessKeyID, "principal", c.arn, "action", action,
				"resource", p.roleARN, "reason", "role not defined in the template")
			return msg
		}
		d := iampolicy.EvaluateTrust(target.trust, c.sess.roleARN, iampolicy.Request{Action: action, Context: e.requestContext(m, c, reqCtx)})
		if !d.Allowed() {
			e.log.Info("access denied", "access_key_id", c.accessKeyID, "principal", c.arn, "action", action,
				"resource", p.roleARN, "outcome", d.Outcome.String(), "policy", target.trust.Name, "sid", d.Sid)
			return msg
		}
	}
	return ""
}

type assumeRoleXML struct {
	AccessKeyID   string `xml:"AssumeRoleResult>Credentials>AccessKeyId"`
	Secret        string `xml:"AssumeRoleResult>Credentials>SecretAccessKey"`
	Token         string `xml:"AssumeRoleResult>Credentials>SessionToken"`
	Expiration    string `xml:"AssumeRoleResult>Credentials>Expiration"`
	AssumedRoleID string `xml:"AssumeRoleResult>AssumedRoleUser>AssumedRoleId"`
}

// parseIssuedSession reads the credentials from an AssumeRole answer.
func parseIssuedSession(data []byte) (*session, error) {
	var x assumeRoleXML
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("decode AssumeRole response: %w", err)
	}
	if x.AccessKeyID == "" || x.Secret == "" || x.Token == "" {
		return nil, fmt.Errorf("AssumeRole response lacks credentials")
	}
	s := &session{accessKeyID: x.AccessKeyID, secret: x.Secret, token: x.Token, userID: x.AssumedRoleID}
	if x.Expiration != "" {
		t, err := time.Parse(time.RFC3339, x.Expiration)
		if err != nil {
			return nil, fmt.Errorf("AssumeRole expiration %q: %w", x.Expiration, err)
		}
		s.expires = t
	}
	return s, nil
}

// logDenial records why a check was refused; never a secret.
func (e *Enforcer) logDenial(c *caller, ch check, v verdict) {
	attrs := []any{"access_key_id", c.accessKeyID, "principal", c.arn, "action", ch.action, "resource", ch.resource}
	if v.refusal != "" {
		attrs = append(attrs, "reason", v.refusal)
	} else {
		attrs = append(attrs, "outcome", v.decision.Outcome.String(), "policy_type", v.policyType,
			"policy", v.decision.Policy, "sid", v.decision.Sid)
	}
	if lk, ok := ch.context[leadingKeys]; ok {
		attrs = append(attrs, "leading_keys", lk)
	}
	e.log.Info("access denied", attrs...)
}
