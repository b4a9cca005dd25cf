package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Authenticator resolves a bearer token to its principal.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*auth.Principal, error)
}

// Tenants hands out clients scoped to one org.
type Tenants interface {
	For(ctx context.Context, org string) (*tenant.Scoped, error)
}

// Sealer opens provider keys and seals opted-in content.
type Sealer interface {
	Open(ctx context.Context, s secrets.Scope, purpose, record, sealed string) ([]byte, error)
	Seal(ctx context.Context, s secrets.Scope, purpose, record string, plaintext []byte) (string, error)
}

// Config holds the gateway's dependencies and limits.
type Config struct {
	Table      string
	Auth       Authenticator
	Tenants    Tenants
	Workspaces *workspace.Store
	Secrets    Sealer
	Gate       *budget.Gate
	// Traces records each call's trace and daily aggregates with its settlement.
	Traces *trace.Store
	// Touch records when each token was last used; nil records nothing.
	Touch *token.Toucher
	// Feedback records users' scores for traces (POST /v1/feedback); nil
	// answers that route with a typed 500.
	Feedback *feedback.Store
	// Alerts finds spend crossing alert thresholds; Audit records them.
	// Nil disables alerts.
	Alerts *budget.Alerter
	Audit  *audit.Store
	// Shadow keeps sampled alias calls, sealed, for evaluations; nil keeps
	// none. A workspace samples ShadowSamplePercent of its alias calls.
	Shadow *shadow.Store
	// Envelope seals shadow samples under the org's data key.
	Envelope *secrets.Envelope
	// Providers maps a connection kind to its adapter.
	Providers map[string]provider.Provider
	// MockEnabled adds the built-in mock connection to every workspace.
	MockEnabled bool
	Logger      *slog.Logger
	Clock       func() time.Time

	// MaxBodyBytes refuses larger request bodies before parsing. Default 4 MiB.
	MaxBodyBytes int64
	// Retries is how many times one target is retried on 429/5xx/timeout
	// before falling back to the next. Default 1.
	Retries int
	// RetryBase is the first backoff; each retry doubles it, with jitter.
	// Default 200ms.
	RetryBase time.Duration
	// MaxRetryWait caps a provider's Retry-After that the gateway honours
	// before retrying. Default 2s; longer waits fall back or fail instead.
	MaxRetryWait time.Duration
	// FirstByteTimeout bounds the wait for the provider's first byte.
	// Default 60s.
	FirstByteTimeout time.Duration
	// SettleTimeout bounds settlement after the response. Default 5s.
	SettleTimeout time.Duration
}

// Handler serves the OpenAI-compatible API. It is safe for concurrent use.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns a Handler with cfg's defaults filled in.
func New(cfg Config) *Handler {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 4 << 20
	}
	if cfg.Retries == 0 {
		cfg.Retries = 1
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 200 * time.Millisecond
	}
	if cfg.MaxRetryWait == 0 {
		cfg.MaxRetryWait = 2 * time.Second
	}
	if cfg.FirstByteTimeout == 0 {
		cfg.FirstByteTimeout = 60 * time.Second
	}
	if cfg.SettleTimeout == 0 {
		cfg.SettleTimeout = 5 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST /v1/chat/completions", h.chatCompletions)
	h.mux.HandleFunc("GET /v1/models", h.models)
	h.mux.HandleFunc("POST /v1/feedback", h.feedback)
	return h
}

// ServeHTTP routes to the endpoint, recovering any panic as a typed error
// in the format the answer had begun in.
func (h *Handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := &started{ResponseWriter: rw}
	defer func() {
		if v := recover(); v != nil {
			h.cfg.Logger.Error("panic in gateway handler", "panic", v, "path", r.URL.Path)
			answerPanic(w)
		}
	}()
	if _, pattern := h.mux.Handler(r); pattern == "" {
		openaierr.Write(w, apperr.New(apperr.NotFound, "unknown_route", "no such endpoint: "+r.Method+" "+safePath(r.URL.Path)))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// safePath bounds a path echoed in an error.
func safePath(p string) string {
	if len(p) > 64 {
		return p[:64] + "…"
	}
	return p
}

// authenticate checks the bearer token and the scope the endpoint needs.
func (h *Handler) authenticate(r *http.Request, scope string) (*auth.Principal, error) {
	tok := auth.BearerToken(r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
	p, err := h.cfg.Auth.Authenticate(r.Context(), tok)
	if err != nil {
		return nil, err
	}
	if !p.Has(scope) {
		return nil, apperr.New(apperr.Forbidden, "missing_scope", "this API key lacks the "+scope+" scope")
	}
	return p, nil
}
