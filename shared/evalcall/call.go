package evalcall

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/route"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Config holds a Caller's dependencies.
type Config struct {
	Gate      *budget.Gate
	Secrets   route.Opener
	Providers map[string]provider.Provider
	// MockEnabled adds the built-in mock connection, as on the gateway.
	MockEnabled bool
	// Timeout bounds one provider call. Default 120s.
	Timeout time.Duration
	// Retries is how many times a call is retried on 429/5xx/timeouts
	// within its one reservation. Default 1.
	Retries int
	// RetryBase is the first backoff. Default 500ms.
	RetryBase time.Duration
	// SettleTimeout bounds settlement. Default 5s.
	SettleTimeout time.Duration
	Logger        *slog.Logger
}

// Caller makes metered calls. It holds no mutable state.
type Caller struct{ cfg Config }

// New returns a Caller with cfg's defaults filled in.
func New(cfg Config) *Caller {
	if cfg.Timeout == 0 {
		cfg.Timeout = 120 * time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = 1
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 500 * time.Millisecond
	}
	if cfg.SettleTimeout == 0 {
		cfg.SettleTimeout = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Caller{cfg: cfg}
}

// DB is the org's scoped client.
type DB interface {
	budget.DB
}

// Call is one metered completion.
type Call struct {
	Scope     secrets.Scope
	Snapshot  *workspace.Snapshot
	RequestID string // unique per call attempt: it keys the reservation
	// Request is sent with its Model resolved through the workspace and its
	// output ceiling forced to Ceiling (bounded by the workspace's and the
	// model's own).
	Request *chat.Request
	Ceiling int64
	// Extra caps the call is held against beside the org's and the
	// workspace's monthly ones.
	Extra []budget.Cap
	// Check runs just before the reservation, every time: a run's kill
	// switch. Its error refuses the call; nothing is reserved.
	Check func(context.Context) error
	// Record returns writes that settle together with the call: the
	// caller's record of the answer and what it cost. They run only for a
	// call that reached the provider.
	Record func(resp *chat.Response, cost pricing.NanoUSD, usage chat.Usage) ([]types.TransactWriteItem, error)
}

// Result is a settled call.
type Result struct {
	Response *chat.Response
	Cost     pricing.NanoUSD
	Usage    chat.Usage
	// Estimated is true when the provider reported no believable usage and
	// the call was billed from local bounds.
	Estimated bool
	Route     route.Route
	Latency   time.Duration
}

// Ceiling is a call's output ceiling on rt: the caller's, bounded by the
// workspace's and the model's own. A pre-flight estimate uses it too, so
// it prices exactly what the call will reserve.
func Ceiling(rt route.Route, snap *workspace.Snapshot, ceiling int64) int64 {
	out := rt.Price.MaxOutput
	if ceiling > 0 && ceiling < out {
		out = ceiling
	}
	if snap != nil && snap.Settings.MaxOutputTokens > 0 && snap.Settings.MaxOutputTokens < out {
		out = snap.Settings.MaxOutputTokens
	}
	return out
}

// Resolve returns the one route a target names: an evaluation measures a
// specific model, so an alias resolves to its primary target, never a
// fallback.
func (c *Caller) Resolve(snap *workspace.Snapshot, target string) (route.Route, error) {
	_, routes, err := route.Resolve(snap, target, c.cfg.MockEnabled)
	if err != nil {
		return route.Route{}, err
	}
	if _, ok := c.cfg.Providers[routes[0].Conn.Kind]; !ok {
		return route.Route{}, apperr.New(apperr.Invalid, "provider_unavailable",
			"the "+routes[0].Conn.Kind+" provider is not enabled in this deployment").WithParam("model")
	}
	return routes[0], nil
}

// Complete reserves, calls and settles. The provider is called only after
// Check passed and the reservation was granted; a refused reservation is
// the gate's typed error (budget_exhausted, budget_store_unavailable).
func (c *Caller) Complete(ctx context.Context, db DB, call Call) (*Result, error) {
	rt, err := c.Resolve(call.Snapshot, call.Request.Model)
	if err != nil {
		return nil, err
	}
	req := *call.Request
	req.Model, req.Stream, req.StreamOptions, req.Metadata = rt.Target.Model, false, nil, nil
	out := Ceiling(rt, call.Snapshot, call.Ceiling)
	req.MaxTokens, req.MaxCompletionTokens = &out, nil
	if n := req.Choices(); n > 1 {
		return nil, apperr.New(apperr.Invalid, "invalid_request", "an evaluation call asks for one choice")
	}
	prompt := pricing.PromptTokenBound(&req)
	cred, err := route.Credential(ctx, c.cfg.Secrets, call.Scope, call.Snapshot.Workspace, rt.Conn)
	if err != nil {
		return nil, err
	}
	if call.Check != nil {
		if err := call.Check(ctx); err != nil {
			return nil, err
		}
	}
	snap := call.Snapshot
	res, err := c.cfg.Gate.Reserve(ctx, db, budget.Request{
		Org: call.Scope.Org, Workspace: snap.Workspace, RequestID: call.RequestID,
		Cost: rt.Price.WorstCase(prompt, out), Tokens: prompt + out,
		Limits: budget.Limits{OrgCap: snap.OrgSettings.MonthlyCap, WorkspaceCap: snap.Settings.MonthlyCap},
		Extra:  call.Extra,
	})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, attempts, callErr := c.attempt(ctx, rt, &provider.Call{Request: &req, Credential: cred,
		Endpoint: provider.Endpoint{BaseURL: rt.Conn.BaseURL, Region: rt.Conn.Region, APIVersion: rt.Conn.APIVersion}})
	r := &Result{Response: resp, Route: rt, Latency: time.Since(start)}
	r.Usage, r.Estimated = billed(resp, callErr, prompt, out)
	r.Cost = rt.Price.Cost(r.Usage)
	if attempts == 0 {
		r.Cost = 0
	} else if r.Estimated && r.Usage == (chat.Usage{}) {
		r.Cost = res.Cost // timed out unseen: bill the hold
	}
	if err := c.settle(db, res, call, r, callErr); err != nil {
		return nil, err
	}
	if callErr != nil {
		return nil, callErr
	}
	return r, nil
}

// settle records the call's cost with the caller's record of it. A failed
// settlement is an error: the caller must not count an answer whose cost
// did not land (the hold expires and is released).
func (c *Caller) settle(db DB, res *budget.Reservation, call Call, r *Result, callErr error) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.SettleTimeout)
	defer cancel()
	var writes []types.TransactWriteItem
	if callErr == nil && call.Record != nil {
		w, err := call.Record(r.Response, r.Cost, r.Usage)
		if err != nil {
			// Settle the spend anyway: it happened.
			c.cfg.Logger.Error("encode evaluation call record", "request_id", call.RequestID, "error", err)
		}
		writes = w
	}
	outcome := budget.Outcome{Cost: r.Cost, Tokens: r.Usage.PromptTokens + r.Usage.CompletionTokens}
	var err error
	for try := 0; try < 2; try++ {
		if err = c.cfg.Gate.Settle(ctx, db, res, outcome, writes...); err == nil {
			return nil
		}
	}
	c.cfg.Logger.Error("settle evaluation call failed; the reservation will expire and be released",
		"request_id", call.RequestID, "cost_nano", int64(r.Cost), "error", err)
	return apperr.Wrap(fmt.Errorf("settle evaluation call: %w", err), apperr.Unavailable, "settle_failed",
		"the call's cost could not be recorded").WithRetryAfter(time.Second)
}

// billed is what a call is billed for: the provider's usage when it is
// believable, else the prompt bound plus one token per byte of output seen.
func billed(resp *chat.Response, err error, prompt, ceiling int64) (chat.Usage, bool) {
	if err != nil {
		var perr *provider.Error
		if errors.As(err, &perr) && !perr.Timeout {
			return chat.Usage{}, false // refused or failed before generating: not billed
		}
		return chat.Usage{}, true
	}
	var outBytes int64
	for _, ch := range resp.Choices {
		outBytes += int64(len(ch.Message.Content.String()))
	}
	if u := resp.Usage; u != nil && (u.PromptTokens > 0 || u.CompletionTokens > 0) && !(u.CompletionTokens == 0 && outBytes > 0) {
		return *u, false
	}
	return chat.Usage{PromptTokens: prompt, CompletionTokens: min(outBytes, ceiling)}, true
}

// attempt calls the provider, retrying errors that may pass.
func (c *Caller) attempt(ctx context.Context, rt route.Route, pc *provider.Call) (*chat.Response, int, error) {
	p := c.cfg.Providers[rt.Conn.Kind]
	var last error
	attempts := 0
	for try := 0; try <= c.cfg.Retries; try++ {
		if try > 0 {
			wait := c.cfg.RetryBase << min(try-1, 4)
			wait = wait/2 + rand.N(wait/2+1)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, attempts, ctx.Err()
			case <-t.C:
			}
		}
		attempts++
		cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		resp, err := p.Complete(cctx, pc)
		cancel()
		if err == nil {
			return resp, attempts, nil
		}
		last = err
		var perr *provider.Error
		if ctx.Err() != nil || !errors.As(err, &perr) || !perr.Retryable() {
			break
		}
	}
	return nil, attempts, upstreamError(rt, last)
}

// upstreamError is a provider failure as a typed error without the
// provider's text (which may echo the prompt). Transient tells the worker
// to retry the item later; the others are the item's final outcome.
func upstreamError(rt route.Route, err error) error {
	var perr *provider.Error
	name := rt.Conn.Name
	switch {
	case errors.As(err, &perr) && perr.Timeout:
		return apperr.Wrap(err, apperr.UpstreamTimeout, "upstream_timeout", "the provider "+name+" did not answer in time")
	case errors.As(err, &perr) && perr.StatusCode == 429:
		return apperr.Wrap(err, apperr.RateLimited, "upstream_rate_limited", "the provider "+name+" is rate limiting this workspace's key").WithRetryAfter(perr.RetryAfter)
	case errors.As(err, &perr) && (perr.StatusCode == 401 || perr.StatusCode == 403):
		return apperr.Wrap(err, apperr.UpstreamFailed, "provider_key_rejected", "the provider "+name+" rejected this workspace's key")
	case errors.As(err, &perr) && perr.StatusCode >= 400 && perr.StatusCode < 500:
		return apperr.Wrap(err, apperr.Invalid, "upstream_invalid_request", "the provider "+name+" refused the request")
	case errors.As(err, &perr) && perr.StatusCode >= 500:
		return apperr.Wrap(err, apperr.UpstreamFailed, "upstream_error", fmt.Sprintf("the provider %s failed (status %d)", name, perr.StatusCode))
	}
	return apperr.Wrap(err, apperr.UpstreamFailed, "upstream_unreachable", "the provider "+name+" could not be reached")
}

// Transient reports whether err may pass if the item is tried again later:
// a throttled, failing or unreachable provider, or an unreachable store.
func Transient(err error) bool {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return true // unknown: retry rather than record a wrong outcome
	}
	switch e.Kind {
	case apperr.Internal:
		return true
	case apperr.RateLimited, apperr.UpstreamTimeout, apperr.Unavailable:
		return true
	case apperr.UpstreamFailed:
		return e.Code != "provider_key_rejected"
	}
	return false
}
