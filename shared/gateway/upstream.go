package gateway

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/route"
	"github.com/tollgate-dev/tollgate/shared/scrub"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// attempt runs fn against each route in order, retrying a route on errors
// that may pass (429, 5xx, timeouts) and then falling back to the next.
// Nothing has been sent to the client while attempt runs, so a fallback is
// invisible to it. Every attempt is covered by the call's one reservation,
// which was sized for the most expensive route.
func (h *Handler) attempt(ctx context.Context, c *call, fn func(context.Context, route.Route, *provider.Call) error) error {
	var last error
	for _, rt := range c.routes {
		_, ok := h.cfg.Providers[rt.Conn.Kind]
		if !ok {
			last = apperr.New(apperr.Invalid, "provider_unavailable", "the "+rt.Conn.Kind+" provider is not enabled in this deployment")
			continue
		}
		cred, err := route.Credential(ctx, h.cfg.Secrets, c.scope, c.principal.Workspace, rt.Conn)
		if err != nil {
			return err
		}
		pc := &provider.Call{
			Request:    h.upstreamRequest(c, rt),
			Credential: cred,
			Endpoint:   provider.Endpoint{BaseURL: rt.Conn.BaseURL, Region: rt.Conn.Region, APIVersion: rt.Conn.APIVersion},
		}
		for try := 0; try <= h.cfg.Retries; try++ {
			if c.attempts > 0 {
				if err := h.backoff(ctx, try, last); err != nil {
					return err
				}
			}
			c.attempts++
			c.used = rt
			err := fn(ctx, rt, pc)
			if err == nil {
				return nil
			}
			last = err
			if ctx.Err() != nil {
				c.status = trace.StatusClientAbort
				return apperr.Wrap(ctx.Err(), apperr.UpstreamTimeout, "client_closed", "the client closed the request")
			}
			if !retryable(err) {
				return h.upstreamError(rt, err)
			}
			var perr *provider.Error
			if errors.As(err, &perr) && perr.RetryAfter > h.cfg.MaxRetryWait {
				break // the provider asks for longer than we wait: fall back now
			}
		}
	}
	c.status = trace.StatusError
	return h.upstreamError(c.used, last)
}

func retryable(err error) bool {
	var perr *provider.Error
	if errors.As(err, &perr) {
		return perr.Retryable()
	}
	return false
}

// backoff waits before the next attempt: exponential with full jitter,
// or the provider's Retry-After when it is short enough to honour.
func (h *Handler) backoff(ctx context.Context, try int, last error) error {
	wait := h.cfg.RetryBase << min(try, 4)
	wait = wait/2 + rand.N(wait/2+1)
	var perr *provider.Error
	if errors.As(last, &perr) && perr.RetryAfter > 0 && perr.RetryAfter <= h.cfg.MaxRetryWait {
		wait = perr.RetryAfter
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return apperr.Wrap(ctx.Err(), apperr.UpstreamTimeout, "client_closed", "the client closed the request")
	case <-t.C:
		return nil
	}
}

// upstreamError turns a provider failure into a client-safe error. The
// provider's own message is passed on only for requests it refused, and
// only scrubbed of anything credential-shaped.
func (h *Handler) upstreamError(rt route.Route, err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	var perr *provider.Error
	if !errors.As(err, &perr) {
		return apperr.Wrap(err, apperr.UpstreamFailed, "upstream_error", "the provider call failed")
	}
	name := rt.Conn.Name
	switch {
	case perr.Timeout:
		return apperr.Wrap(err, apperr.UpstreamTimeout, "upstream_timeout", "the provider "+name+" did not answer in time")
	case perr.StatusCode == http.StatusTooManyRequests:
		return apperr.Wrap(err, apperr.RateLimited, "upstream_rate_limited", "the provider "+name+" is rate limiting this workspace's key").
			WithRetryAfter(perr.RetryAfter)
	case perr.StatusCode == http.StatusUnauthorized || perr.StatusCode == http.StatusForbidden:
		return apperr.Wrap(err, apperr.UpstreamFailed, "provider_key_rejected", "the provider "+name+" rejected this workspace's key")
	case perr.StatusCode >= 400 && perr.StatusCode < 500:
		return apperr.Wrap(err, apperr.Invalid, "upstream_invalid_request",
			fmt.Sprintf("the provider %s refused the request: %s", name, clip(scrub.String(perr.Message), 300)))
	case perr.StatusCode == 0:
		return apperr.Wrap(err, apperr.UpstreamFailed, "upstream_unreachable", "the provider "+name+" could not be reached")
	}
	return apperr.Wrap(err, apperr.UpstreamFailed, "upstream_error", fmt.Sprintf("the provider %s failed (status %d)", name, perr.StatusCode))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// callComplete makes the non-streamed call with retries and fallback.
func (h *Handler) callComplete(ctx context.Context, c *call) (*chat.Response, error) {
	var resp *chat.Response
	err := h.attempt(ctx, c, func(ctx context.Context, rt route.Route, pc *provider.Call) error {
		cctx, cancel := context.WithTimeout(ctx, h.cfg.FirstByteTimeout)
		defer cancel()
		var err error
		resp, err = h.cfg.Providers[rt.Conn.Kind].Complete(cctx, pc)
		return err
	})
	return resp, err
}

// openStream opens the streamed call with retries and fallback. The first
// byte deadline applies only until the provider has answered.
func (h *Handler) openStream(ctx context.Context, c *call) (provider.Stream, context.CancelFunc, error) {
	var st provider.Stream
	var stop context.CancelFunc
	err := h.attempt(ctx, c, func(ctx context.Context, rt route.Route, pc *provider.Call) error {
		sctx, cancel := context.WithCancel(ctx)
		timer := time.AfterFunc(h.cfg.FirstByteTimeout, cancel)
		s, err := h.cfg.Providers[rt.Conn.Kind].Stream(sctx, pc)
		if !timer.Stop() && err == nil {
			s.Close()
			err = &provider.Error{Provider: rt.Conn.Name, Timeout: true}
		}
		if err != nil {
			cancel()
			return err
		}
		st, stop = s, cancel
		return nil
	})
	return st, stop, err
}
