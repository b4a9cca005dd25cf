package ingest

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/idempotency"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Authenticator resolves a bearer token to its principal.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*auth.Principal, error)
}

// Tenants hands out clients scoped to one org: every write of an event
// goes through them, never through the function's own role.
type Tenants interface {
	For(ctx context.Context, org string) (*tenant.Scoped, error)
}

// Sealer seals opted-in text under the org's data key.
type Sealer interface {
	Seal(ctx context.Context, s secrets.Scope, purpose, record string, plaintext []byte) (string, error)
}

// Config holds the handler's dependencies.
type Config struct {
	Auth       Authenticator
	Tenants    Tenants
	Workspaces *workspace.Store
	Sealer     Sealer
	Traces     *trace.Store
	// Feedback records feedback scores (POST /v1/traces/feedback and
	// events' feedback_score). Required: without it those are refused as
	// store failures.
	Feedback *feedback.Store
	// Idempotency replays answers to retried batches that carry an
	// Idempotency-Key; nil ignores the header.
	Idempotency *idempotency.Store
	// Touch records when each token was last used; nil records nothing.
	Touch  *token.Toucher
	Logger *slog.Logger
	// Clock decides which event times are acceptable and when text is redacted.
	Clock func() time.Time
	// Concurrency bounds the events of one batch written at once. Default 8.
	Concurrency int
}

// Handler serves the ingestion endpoints. It is safe for concurrent use.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns a Handler with cfg's defaults filled in.
func New(cfg Config) *Handler {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = defaultConcurrency
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST /v1/traces", h.serveBatch)
	h.mux.HandleFunc("POST /v1/otlp/v1/traces", h.serveOTLP)
	h.mux.HandleFunc("POST /v1/traces/feedback", h.serveFeedback)
	return h
}

// ServeHTTP routes to the endpoint, recovering any panic as a typed 500.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			h.cfg.Logger.Error("panic in ingest handler", "panic", v, "path", safePath(r.URL.Path))
			openaierr.Write(w, apperr.New(apperr.Internal, "internal_error", "internal error"))
		}
	}()
	if _, pattern := h.mux.Handler(r); pattern == "" {
		if r.URL.Path == "/v1/traces" || r.URL.Path == "/v1/otlp/v1/traces" || r.URL.Path == "/v1/traces/feedback" {
			w.Header().Set("Allow", http.MethodPost)
			openaierr.WriteStatus(w, http.StatusMethodNotAllowed, apperr.New(apperr.Invalid, "method_not_allowed", "use POST"))
			return
		}
		openaierr.Write(w, apperr.New(apperr.NotFound, "unknown_route", "no such endpoint: "+r.Method+" "+safePath(r.URL.Path)))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// safePath bounds a path echoed in an error or a log line.
func safePath(p string) string {
	if len(p) > 64 {
		return p[:64] + "…"
	}
	return p
}

// caller is an authenticated request's org session and workspace rules.
type caller struct {
	principal *auth.Principal
	scoped    *tenant.Scoped
	snap      *workspace.Snapshot
}

// authorize checks the token and its ingest scope, then loads what every
// event of the request is judged by, with the org's scoped credentials.
func (h *Handler) authorize(r *http.Request) (*caller, error) {
	ctx := r.Context()
	p, err := h.cfg.Auth.Authenticate(ctx, auth.BearerToken(r.Header.Get("Authorization"), r.Header.Get("X-Api-Key")))
	if err != nil {
		return nil, err
	}
	if !p.Has(auth.ScopeIngest) {
		return nil, apperr.New(apperr.Forbidden, "missing_scope", "this API key lacks the "+auth.ScopeIngest+" scope")
	}
	scoped, err := h.cfg.Tenants.For(ctx, p.Org)
	if err != nil {
		return nil, err
	}
	snap, err := h.cfg.Workspaces.Load(ctx, scoped.DynamoDB, p.Org, p.Workspace)
	if err != nil {
		return nil, err
	}
	if h.cfg.Touch != nil {
		if err := h.cfg.Touch.Touch(ctx, scoped.DynamoDB, p.Org, p.TokenID); err != nil {
			h.cfg.Logger.WarnContext(ctx, "record token use", "token_id", p.TokenID, "error", err)
		}
	}
	return &caller{principal: p, scoped: scoped, snap: snap}, nil
}

// policy returns the rules the request's events are checked against.
func (c *caller) policy(now time.Time) *policy {
	return &policy{principal: c.principal, settings: c.snap.Settings, prices: c.snap.Prices, now: now}
}
