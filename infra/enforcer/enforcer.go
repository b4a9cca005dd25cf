package enforcer

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tollgate-dev/tollgate/infra/cfn"
)

// Config is what the local stack hands the enforcer.
type Config struct {
	// Template is the parsed template.yaml whose policies are enforced.
	Template *cfn.Template
	// Env holds the physical names and ARNs of the created resources. IAM
	// roles and managed policies may be left out: their names follow the
	// local naming convention (see cfn.WithIAM).
	Env cfn.Env
	// DynamoDB is the upstream DynamoDB Local.
	DynamoDB *url.URL
	// Moto is the upstream for STS, KMS, SQS and any other service.
	Moto *url.URL
	// Operator is the deployer's key. It is allowed everything (it stands
	// for the deployer and CloudFormation creating the resources).
	Operator Credentials
	// Clock is the time source for session expiry and signature skew; nil
	// means time.Now.
	Clock func() time.Time
	// Logger receives decisions and refusals (never secrets); nil discards.
	Logger *slog.Logger
	// MaxSessions bounds the issued sessions kept; 0 means 65536.
	MaxSessions int
	// MaxBodyBytes bounds a request body; 0 means 32 MiB.
	MaxBodyBytes int64
}

// Credentials is an access key pair.
type Credentials struct{ AccessKeyID, SecretAccessKey string }

// Enforcer is the enforcing endpoint, an http.Handler.
type Enforcer struct {
	cfg       Config
	log       *slog.Logger
	now       func() time.Time
	model     atomic.Pointer[model]
	sessions  *sessionStore
	stats     *statsCounter
	transport http.RoundTripper
	dynamo    *httputil.ReverseProxy
	moto      *httputil.ReverseProxy
	maxBody   int64
}

// New checks the configuration, resolves every role's policies from the
// template and returns the handler. A policy that cannot be resolved, parsed
// or fully evaluated locally is an error here, not a silent allow later.
func New(cfg Config) (*Enforcer, error) {
	if cfg.Template == nil {
		return nil, errors.New("enforcer: no template")
	}
	if cfg.DynamoDB == nil || cfg.Moto == nil {
		return nil, errors.New("enforcer: DynamoDB and Moto upstream URLs are required")
	}
	if cfg.Operator.AccessKeyID == "" || cfg.Operator.SecretAccessKey == "" {
		return nil, errors.New("enforcer: operator credentials are required")
	}
	e := &Enforcer{cfg: cfg, log: cfg.Logger, now: cfg.Clock, stats: newStatsCounter(), maxBody: cfg.MaxBodyBytes}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.maxBody <= 0 {
		e.maxBody = 32 << 20
	}
	maxSessions := cfg.MaxSessions
	if maxSessions <= 0 {
		maxSessions = 65536
	}
	e.sessions = newSessionStore(maxSessions)
	m, err := buildModel(cfg.Template, cfg.Env)
	if err != nil {
		return nil, fmt.Errorf("enforcer: %w", err)
	}
	e.model.Store(m)
	e.logModel(m)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	e.transport = tr
	e.dynamo = e.newReverseProxy(cfg.DynamoDB)
	e.moto = e.newReverseProxy(cfg.Moto)
	return e, nil
}

// UpdateEnv re-resolves the template against a new environment (for example
// once the KMS key exists and its ID is known). Issued sessions are kept.
func (e *Enforcer) UpdateEnv(env cfn.Env) error {
	m, err := buildModel(e.cfg.Template, env)
	if err != nil {
		return fmt.Errorf("enforcer: %w", err)
	}
	e.model.Store(m)
	e.logModel(m)
	return nil
}

func (e *Enforcer) logModel(m *model) {
	for arn, r := range m.roles {
		e.log.Debug("role loaded", "role", r.logicalID, "arn", arn, "policies", len(r.policies))
		for _, u := range r.unmodeled {
			e.log.Info("managed policy not modeled locally; it grants nothing here", "role", r.logicalID, "policy_arn", u)
		}
	}
}

// ServeHTTP authenticates, authorizes and forwards one AWS request.
func (e *Enforcer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_enforcer/") {
		e.serveAdmin(w, r)
		return
	}
	auth, authErr := parseAuthorization(r.Header.Get("Authorization"))
	service := auth.service
	if authErr != nil {
		service = serviceFromTarget(r.Header.Get("X-Amz-Target"))
	}
	wi := wireFor(r, service)

	body, err := io.ReadAll(io.LimitReader(r.Body, e.maxBody+1))
	if err != nil {
		e.stats.record(service, "", outcomeRejected)
		wi.write(w, serializationError("could not read the request body"))
		return
	}
	if int64(len(body)) > e.maxBody {
		e.stats.record(service, "", outcomeRejected)
		wi.write(w, tooLarge())
		return
	}
	var form url.Values
	if !wi.json {
		form = formValues(r, body)
	}
	op := operation(r, form)

	if authErr != nil {
		e.stats.record(service, op, outcomeRejected)
		if errors.Is(authErr, errNoAuth) {
			wi.write(w, missingAuthentication())
		} else {
			wi.write(w, incompleteSignature(authErr.Error()))
		}
		return
	}
	c, aerr := e.authenticate(r, body, auth)
	if aerr != nil {
		e.stats.record(service, op, outcomeRejected)
		e.log.Info("request rejected", "access_key_id", auth.accessKeyID, "service", service, "operation", op, "code", aerr.jsonCode)
		wi.write(w, aerr)
		return
	}

	if !c.operator {
		if aerr := unambiguous(r, body, form, wi); aerr != nil {
			e.stats.record(service, op, outcomeRejected)
			wi.write(w, aerr)
			return
		}
	}

	m := e.model.Load()
	label := statLabel{service: service, op: op}
	if service == "sts" && op == "AssumeRole" {
		o := e.assumeRole(w, r, body, form, m, c, wi)
		if o == outcomeUpstreamError {
			e.stats.record(service, op, outcomeAllowed)
		}
		e.stats.record(service, op, o)
		return
	}

	upstream := e.moto
	if service == "dynamodb" {
		upstream = e.dynamo
	}
	if c.operator {
		// The deployer may do anything, including operations this proxy
		// does not map.
		e.stats.record(service, op, outcomeAllowed)
		e.forward(w, r, body, upstream, wi, label)
		return
	}

	checks, cerr := e.checksFor(m, service, op, r, body, form, wi)
	if cerr != nil {
		e.stats.record(service, op, outcomeRejected)
		wi.write(w, cerr)
		return
	}
	if len(checks) == 0 && !(service == "sts" && op == "GetCallerIdentity") {
		e.stats.record(service, op, outcomeRejected)
		wi.write(w, validationError("The request names nothing to authorize"))
		return
	}
	for _, ch := range checks {
		v := e.authorize(m, c, ch)
		if !v.allowed() {
			e.logDenial(c, ch, v)
			e.stats.record(service, op, outcomeDenied)
			wi.write(w, accessDenied(denialMessage(c, ch, v)))
			return
		}
		e.log.Debug("access allowed", "access_key_id", c.accessKeyID, "action", ch.action, "resource", ch.resource,
			"policy", v.decision.Policy, "sid", v.decision.Sid)
	}
	e.stats.record(service, op, outcomeAllowed)
	e.forward(w, r, body, upstream, wi, label)
}
