package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/idempotency"
	"github.com/tollgate-dev/tollgate/shared/member"
	"github.com/tollgate-dev/tollgate/shared/scrub"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// MaxBody bounds every request body; larger bodies are refused before
// they are parsed.
const MaxBody = 64 << 10

// Authenticator resolves a bearer token to its principal.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*auth.Principal, error)
}

// Tenants hands out clients scoped to one org: every handler reads and
// writes only through them.
type Tenants interface {
	For(ctx context.Context, org string) (*tenant.Scoped, error)
}

// Sealer seals provider keys under the org's data key, and destroys the
// org's data keys when the org is deleted.
type Sealer interface {
	Seal(ctx context.Context, s secrets.Scope, purpose, record string, plaintext []byte) (string, error)
	// Open reads a dataset or shadow sample to price an evaluation.
	Open(ctx context.Context, s secrets.Scope, purpose, record, sealed string) ([]byte, error)
	DestroyKeys(ctx context.Context, s secrets.Scope) error
}

// SpendReader reads a budget counter's month.
type SpendReader interface {
	Read(ctx context.Context, db interface {
		GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	}, org, scope string, at time.Time) (budget.Spend, error)
	// ReadLifetime reads a lifetime counter: an evaluation run's spend.
	ReadLifetime(ctx context.Context, db interface {
		GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	}, org, scope string) (budget.Spend, error)
}

// Config holds the server's dependencies.
type Config struct {
	Table      string
	Auth       Authenticator
	Tenants    Tenants
	Members    *member.Store
	Workspaces *workspace.Store
	Tokens     *token.Manager
	Datasets   *dataset.Store
	// Touch records when each key was last used; nil records nothing.
	Touch *token.Toucher
	// Lookups writes global token lookups with the function's own role.
	Lookups token.LookupDB
	Audit   *audit.Store
	Secrets Sealer
	Budget  SpendReader
	// CheckURL refuses a provider base URL the outbound client would
	// refuse, when it is saved rather than at the first call.
	CheckURL func(*url.URL) error
	// Idempotency replays answers to retried mutating requests that carry
	// an Idempotency-Key; nil ignores the header.
	Idempotency *idempotency.Store
	// Evals serves the evaluation routes; nil answers them with
	// evals_disabled.
	Evals  *EvalConfig
	Logger *slog.Logger
	Clock  func() time.Time
}

// Server serves the management API. It is safe for concurrent use.
type Server struct {
	cfg Config
	mux *http.ServeMux
	ops []Operation
}

// handlerFunc does one operation for an authorized caller and returns the
// status and body of its success.
type handlerFunc func(c *call) (int, any, error)

// New builds the server from the OpenAPI document. It fails if an
// operation has no handler or a handler no operation, so the document and
// the code cannot drift.
func New(cfg Config) (*Server, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ops, err := Operations()
	if err != nil {
		return nil, err
	}
	hs := handlers()
	s := &Server{cfg: cfg, mux: http.NewServeMux(), ops: ops}
	for _, op := range ops {
		h, ok := hs[op.ID]
		if !ok {
			return nil, fmt.Errorf("api: operation %s has no handler", op.ID)
		}
		s.mux.Handle(op.Pattern(), s.wrap(op, h))
	}
	if len(hs) != len(ops) {
		return nil, fmt.Errorf("api: %d handlers for %d operations", len(hs), len(ops))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, apperr.New(apperr.NotFound, "route_not_found", "no such route"))
	})
	return s, nil
}

// ServeHTTP routes one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// wrap runs, in order: body limit, authentication (401), scope (403),
// tenant session, the caller's current role (403), then the handler, and
// logs one scrubbed access line.
func (s *Server) wrap(op Operation, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		c := &call{ctx: r.Context(), r: r, op: op, srv: s}
		defer func() {
			if v := recover(); v != nil { // a bug: answer 500 with nothing of it, log it for operators
				s.cfg.Logger.ErrorContext(r.Context(), "panic in api handler", "op", op.ID, "panic", fmt.Sprint(v))
				writeError(w, apperr.New(apperr.Internal, "internal_error", "internal error"))
			}
		}()
		status, err := s.serve(w, c, h)
		if err != nil {
			status = writeError(w, err)
		}
		log := s.cfg.Logger.With("op", op.ID, "status", status, "ms", time.Since(start).Milliseconds())
		if c.principal != nil {
			log = log.With("org", c.principal.Org, "token_id", c.principal.TokenID)
		}
		if err != nil && status >= 500 { // the cause is for operators; the client got only the code
			log.ErrorContext(r.Context(), "api request failed", "error", err)
			return
		}
		log.InfoContext(r.Context(), "api request")
	})
}

func (s *Server) serve(w http.ResponseWriter, c *call, h handlerFunc) (int, error) {
	r := c.r
	limit := int64(MaxBody)
	if c.op.MaxBody > 0 {
		limit = c.op.MaxBody
	}
	if r.ContentLength > limit {
		return 0, apperr.New(apperr.TooLarge, "body_too_large", fmt.Sprintf("the body is over %d bytes", limit))
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	p, err := s.cfg.Auth.Authenticate(c.ctx, auth.BearerToken(r.Header.Get("Authorization"), ""))
	if err != nil {
		return 0, err
	}
	c.principal = p
	if !p.Has(c.op.Scope) && !(c.op.Scope == auth.ScopeRead && p.Has(auth.ScopeAdmin)) {
		return 0, apperr.New(apperr.Forbidden, "insufficient_scope",
			fmt.Sprintf("this API key lacks the %q scope", c.op.Scope))
	}
	if p.Member == "" {
		return 0, apperr.New(apperr.Forbidden, "not_a_member", "this API key does not act for a member of the organization")
	}
	sc, err := s.cfg.Tenants.For(c.ctx, p.Org)
	if err != nil {
		return 0, err
	}
	c.scoped = sc
	m, err := s.cfg.Members.Get(c.ctx, sc.DynamoDB, p.Org, p.Member)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return 0, apperr.New(apperr.Forbidden, "not_a_member", "the member this API key acts for was removed")
		}
		return 0, err
	}
	c.member = m
	if s.cfg.Touch != nil {
		if err := s.cfg.Touch.Touch(c.ctx, sc.DynamoDB, p.Org, p.TokenID); err != nil {
			s.cfg.Logger.WarnContext(c.ctx, "record token use", "token_id", p.TokenID, "error", err)
		}
	}
	if !member.Allows(m.Role, member.Permission(c.op.Permission)) {
		return 0, apperr.New(apperr.Forbidden, "insufficient_role",
			fmt.Sprintf("the %s role may not %s", m.Role, c.op.ID))
	}
	if key := c.r.Header.Get(idempotency.Header); key != "" && c.r.Method != http.MethodGet && s.cfg.Idempotency != nil {
		return s.idempotent(w, c, h, key)
	}
	return s.respond(w, c, h)
}

// respond runs the handler and writes its answer (a handler error is
// returned, for wrap to write).
func (s *Server) respond(w http.ResponseWriter, c *call, h handlerFunc) (int, error) {
	status, body, err := h(c)
	if err != nil {
		return 0, err
	}
	if w2, ok := body.(streamed); ok {
		return w2.stream(w)
	}
	if status == http.StatusNoContent {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		return status, nil
	}
	writeJSON(w, status, body)
	return status, nil
}

// holdsCredential reports whether a JSON body holds anything
// credential-shaped, in its text or in any decoded string (escapes such as
// \u0026 or \" hide a shape from a scan of the raw bytes).
func holdsCredential(raw []byte) bool {
	if scrub.Contains(string(raw)) {
		return true
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false // the decoder reports the malformed body
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return scrub.Contains(x)
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for k, e := range x {
				if scrub.Contains(k) || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// errCredentialInBody refuses a body that would store a credential in clear.
var errCredentialInBody = apperr.New(apperr.Invalid, "credential_in_body",
	"the request holds what looks like a credential; provider keys belong in PUT /workspaces/{workspace}/keys/{connection}")

// streamed is a body the handler writes itself (exports).
type streamed interface {
	stream(w http.ResponseWriter) (int, error)
}

// call is one authorized request as a handler sees it.
type call struct {
	ctx       context.Context
	r         *http.Request
	op        Operation
	srv       *Server
	principal *auth.Principal
	scoped    *tenant.Scoped
	member    member.Member
}

// org is the caller's org: the only one a handler may touch.
func (c *call) org() string { return c.principal.Org }

// decode reads the JSON body into v, refusing unknown fields (so a body
// cannot smuggle org_id, role or scopes past a handler) and trailing data.
//
// Everything a body carries is stored in clear (names, emails, targets)
// except the provider keys of putKey, which are sealed; so a body that
// holds anything credential-shaped elsewhere is refused rather than kept.
func (c *call) decode(v any) error {
	raw, err := io.ReadAll(c.r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.New(apperr.TooLarge, "body_too_large", fmt.Sprintf("the body is over %d bytes", MaxBody))
		}
		return apperr.Wrap(err, apperr.Invalid, "invalid_json", "the body could not be read")
	}
	if c.op.ID != "putKey" && holdsCredential(raw) {
		return errCredentialInBody
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return apperr.New(apperr.TooLarge, "body_too_large", fmt.Sprintf("the body is over %d bytes", MaxBody))
		case errors.Is(err, io.EOF):
			return apperr.New(apperr.Invalid, "body_required", "a JSON body is required")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return apperr.New(apperr.Invalid, "unknown_field", fmt.Sprintf("unknown field %q", field)).WithParam(field)
		}
		return apperr.Wrap(err, apperr.Invalid, "invalid_json", "the body is not valid JSON of the expected shape")
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "invalid_json", "the body has data after its JSON value")
	}
	return nil
}

// record appends an audit entry for a sensitive action. An action that
// cannot be audited fails: an unaudited change is not allowed to look
// successful.
func (c *call) record(action, targetType, targetID string, before, after map[string]any) error {
	_, err := c.srv.cfg.Audit.Append(c.ctx, c.scoped.DynamoDB, audit.Entry{
		Org: c.org(), Actor: c.principal.Member, ActorKind: audit.ActorMember, Action: action,
		TargetType: targetType, TargetID: targetID, Workspace: c.principal.Workspace,
		SourceIP: sourceIP(c.r), UserAgent: c.r.UserAgent(), Before: before, After: after, Result: audit.ResultOK,
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// sourceIP is the client address: API Gateway's X-Forwarded-For first hop
// when present (it sets it), else the connection's address.
func sourceIP(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		if ip := net.ParseIP(strings.TrimSpace(first)); ip != nil {
			return ip.String()
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err == nil && ip != nil {
		return ip.String()
	}
	return ""
}
