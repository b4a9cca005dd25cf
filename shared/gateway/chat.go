package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/route"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// call is the state of one chat completion request as it moves through the
// gate, the provider and settlement.
type call struct {
	id        string
	start     time.Time
	principal *auth.Principal
	scope     secrets.Scope
	snap      *workspace.Snapshot
	req       *chat.Request
	alias     string
	routes    []route.Route
	prompt    int64 // upper bound on prompt tokens
	res       *budget.Reservation

	// Filled in by the provider call.
	used     route.Route
	attempts int
	ttft     time.Duration
	usage    *chat.Usage
	outBytes int64 // content bytes received, bounding completion tokens when usage is missing
	status   string
	errCode  string
	content  strings.Builder // response text, kept only for opted-in calls
	keepText bool
	// shadow is set for an alias call sampled for the savings engine: its
	// text is kept sealed until an evaluation scores it.
	shadow    bool
	httpState int
	billed    pricing.NanoUSD
}

func (h *Handler) chatCompletions(w http.ResponseWriter, r *http.Request) {
	c := &call{id: id.New(id.Request), start: h.cfg.Clock(), status: trace.StatusOK}
	w.Header().Set("X-Request-Id", c.id)
	err := h.serveChat(w, r, c)
	if err != nil {
		e := apperr.As(err)
		c.httpState, c.errCode = openaierr.Write(w, e), e.Code
		if e.Kind == apperr.Internal || e.Kind == apperr.Unavailable {
			h.cfg.Logger.Error("request failed", "request_id", c.id, "error", err)
		}
	}
	h.logAccess(c)
}

// serveChat returns an error only while nothing has been written.
func (h *Handler) serveChat(w http.ResponseWriter, r *http.Request, c *call) error {
	if r.ContentLength > h.cfg.MaxBodyBytes {
		return apperr.New(apperr.TooLarge, "request_too_large", "the request body is too large")
	}
	p, err := h.authenticate(r, auth.ScopeInference)
	if err != nil {
		return err
	}
	c.principal = p
	body, err := readBody(w, r, h.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	if c.req, err = parseChat(body); err != nil {
		return err
	}
	ctx := r.Context()
	scoped, err := h.cfg.Tenants.For(ctx, p.Org)
	if err != nil {
		return err
	}
	c.scope = secrets.Scope{Org: p.Org, DynamoDB: scoped.DynamoDB, KMS: scoped.KMS}
	if c.snap, err = h.cfg.Workspaces.Load(ctx, scoped.DynamoDB, p.Org, p.Workspace); err != nil {
		return err
	}
	if c.alias, c.routes, err = route.Resolve(c.snap, c.req.Model, h.cfg.MockEnabled); err != nil {
		return err
	}
	c.keepText = wantsContent(r, c.req) && c.snap.Settings.StoreContentAllowed
	c.shadow = c.alias != "" && h.cfg.Shadow != nil &&
		c.req.Choices() == 1 && shadow.Sampled(c.id, c.snap.Settings.ShadowSamplePercent)

	// Reserve the worst case over every route the call may fall back to.
	c.prompt = pricing.PromptTokenBound(c.req)
	var worst pricing.NanoUSD
	var worstTokens int64
	for _, rt := range c.routes {
		out := h.ceiling(c, rt) * int64(c.req.Choices())
		worst = max(worst, rt.Price.WorstCase(c.prompt, out))
		worstTokens = max(worstTokens, c.prompt+out)
	}
	c.res, err = h.cfg.Gate.Reserve(ctx, scoped.DynamoDB, budget.Request{
		Org: p.Org, Workspace: p.Workspace, TokenID: p.TokenID, RequestID: c.id,
		Cost: worst, Tokens: worstTokens,
		Limits: budget.Limits{
			OrgCap: c.snap.OrgSettings.MonthlyCap, WorkspaceCap: c.snap.Settings.MonthlyCap,
			TokenCap:     pricing.NanoUSD(p.CapNano),
			WorkspaceRPM: c.snap.Settings.RPM, WorkspaceTPM: c.snap.Settings.TPM,
			TokenRPM: p.RPM, TokenTPM: p.TPM,
		},
	})
	if err != nil {
		return err
	}
	// From here on the reservation is settled on every path, on a context
	// the client cannot cancel.
	defer h.settle(scoped.DynamoDB, c)
	if c.req.Stream {
		return h.stream(w, r, c)
	}
	return h.complete(w, r, c)
}

// ceiling is the output-token ceiling of one route: the request's own,
// bounded by the workspace's and the model's. The upstream request carries
// it, so no provider can bill more output than was reserved.
func (h *Handler) ceiling(c *call, rt route.Route) int64 {
	out := rt.Price.MaxOutput
	if req := c.req.OutputCeiling(); req > 0 && req < out {
		out = req
	}
	if ws := c.snap.Settings.MaxOutputTokens; ws > 0 && ws < out {
		out = ws
	}
	return out
}

// upstreamRequest is the request as sent to one route.
func (h *Handler) upstreamRequest(c *call, rt route.Route) *chat.Request {
	req := *c.req
	req.Model = rt.Target.Model
	req.Metadata = nil // Tollgate's tags, not the provider's
	out := h.ceiling(c, rt)
	switch {
	case req.MaxCompletionTokens != nil || (req.MaxTokens == nil && rt.Conn.BaseURL == "" && rt.Conn.Kind == workspace.KindOpenAI):
		req.MaxCompletionTokens, req.MaxTokens = &out, nil
	default:
		req.MaxTokens, req.MaxCompletionTokens = &out, nil
	}
	return &req
}

func wantsContent(r *http.Request, req *chat.Request) bool {
	if v := r.Header.Get("X-Tollgate-Store-Content"); v != "" {
		return strings.EqualFold(v, "true")
	}
	return strings.EqualFold(req.Metadata["store_content"], "true")
}

func (h *Handler) complete(w http.ResponseWriter, r *http.Request, c *call) error {
	resp, err := h.callComplete(r.Context(), c)
	if err != nil {
		return err
	}
	c.ttft = h.cfg.Clock().Sub(c.start)
	c.usage = resp.Usage
	for _, ch := range resp.Choices {
		c.outBytes += int64(len(ch.Message.Content.String()))
		for _, tc := range ch.Message.ToolCalls {
			c.outBytes += int64(len(tc.Function.Name) + len(tc.Function.Arguments))
		}
		if c.keepText || c.shadow {
			c.content.WriteString(ch.Message.Content.String())
		}
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return apperr.Wrap(err, apperr.UpstreamFailed, "upstream_invalid_response", "the provider's response could not be encoded")
	}
	h.setRouteHeaders(w, c)
	// A Content-Length lets the client finish reading as soon as the body
	// is sent; settlement then runs without holding the client up.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	c.httpState = http.StatusOK
	if _, err := w.Write(body); err != nil {
		c.status = trace.StatusClientAbort
	}
	_ = http.NewResponseController(w).Flush()
	return nil
}

func (h *Handler) setRouteHeaders(w http.ResponseWriter, c *call) {
	w.Header().Set("X-Tollgate-Provider", c.used.Conn.Name)
	w.Header().Set("X-Tollgate-Model", c.used.Target.Model)
}

// settle records what the call cost — from the provider's usage, or the
// estimate when usage never arrived — and writes the trace with it.
func (h *Handler) settle(db settleDB, c *call) {
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.SettleTimeout)
	defer cancel()
	billed, estimated := h.billedUsage(c)
	c.billed = c.used.Price.Cost(billed)
	if c.attempts == 0 {
		c.billed = 0
	} else if estimated && billed == (chat.Usage{}) {
		c.billed = c.res.Cost // aborted before anything was seen: bill the hold
	}
	tr := &trace.Trace{
		ID: c.id, Org: c.principal.Org, Workspace: c.principal.Workspace, TokenID: c.principal.TokenID,
		Source: "gateway", Time: c.start.UTC(), Alias: c.alias, Provider: c.used.Conn.Name, Model: c.used.Target.Model,
		Stream: c.req.Stream, Status: c.status, ErrorCode: c.errCode, CostNano: int64(c.billed), Estimated: estimated,
		PriceTable: pricing.Version, LatencyMS: h.cfg.Clock().Sub(c.start).Milliseconds(), TTFTMS: c.ttft.Milliseconds(),
		Attempts: c.attempts, Tags: tags(c.req.Metadata),
		TokensIn: billed.PromptTokens, TokensOut: billed.CompletionTokens,
	}
	if d := billed.PromptTokensDetails; d != nil {
		tr.TokensCache = d.CachedTokens
	}
	if c.keepText && c.attempts > 0 {
		h.sealContent(ctx, c, tr)
	}
	retention := time.Duration(c.snap.Settings.RetentionDays) * 24 * time.Hour
	writes, err := h.cfg.Traces.Writes(tr, retention)
	if err != nil { // never skip settlement for want of a trace
		h.cfg.Logger.Error("encode trace", "request_id", c.id, "error", err)
	}
	outcome := budget.Outcome{Cost: c.billed, Tokens: billed.PromptTokens + billed.CompletionTokens}
	for try := 0; try < 2; try++ {
		if err = h.cfg.Gate.Settle(ctx, db, c.res, outcome, writes...); err == nil {
			h.afterSettle(ctx, db, c)
			return
		}
	}
	// The hold expires and is released; the spend of this call is then lost
	// to the counters, so the failure is loud.
	h.cfg.Logger.Error("settle failed; the reservation will expire and be released", "request_id", c.id,
		"cost_nano", int64(c.billed), "error", err)
}

// billedUsage is what the call is billed for: the provider's usage when it
// is believable, otherwise an estimate (estimated is then true): the prompt
// bound plus at most one token per byte of output seen.
func (h *Handler) billedUsage(c *call) (u chat.Usage, estimated bool) {
	switch {
	case c.attempts == 0:
		return chat.Usage{}, false
	case usable(c.usage, c.outBytes):
		return *c.usage, false
	case c.status == trace.StatusError && c.outBytes == 0:
		return chat.Usage{}, false // failed before generating: providers do not bill it
	case c.status == trace.StatusClientAbort && c.outBytes == 0 && !c.req.Stream:
		return chat.Usage{}, true // aborted unseen: the caller bills the whole hold
	}
	out := min(c.outBytes, h.ceiling(c, c.used)*int64(c.req.Choices()))
	return chat.Usage{PromptTokens: c.prompt, CompletionTokens: out}, true
}

// usable reports whether the provider's usage can be billed as reported:
// never a zero count for a call that visibly produced output.
func usable(u *chat.Usage, outBytes int64) bool {
	if u == nil {
		return false
	}
	if u.PromptTokens == 0 && u.CompletionTokens == 0 {
		return false
	}
	return !(u.CompletionTokens == 0 && outBytes > 0)
}

func tags(md map[string]string) map[string]string {
	if len(md) == 0 {
		return nil
	}
	out := make(map[string]string, len(md))
	for k, v := range md {
		if k != "store_content" {
			out[k] = v
		}
	}
	return out
}

// sealContent keeps an opted-in call's text, sealed, until the redaction window.
func (h *Handler) sealContent(ctx context.Context, c *call, tr *trace.Trace) {
	doc, err := json.Marshal(struct {
		Messages []chat.Message `json:"messages"`
		Output   string         `json:"output"`
	}{c.req.Messages, c.content.String()})
	if err != nil {
		return
	}
	sealed, err := h.cfg.Secrets.Seal(ctx, c.scope, "trace-content", c.id, doc)
	if err != nil {
		h.cfg.Logger.Warn("content not stored", "request_id", c.id, "error", err)
		return
	}
	tr.SealedContent = sealed
	tr.RedactAt = c.start.Add(time.Duration(c.snap.Settings.RedactAfterDays) * 24 * time.Hour).Unix()
}

func (h *Handler) logAccess(c *call) {
	attrs := []any{
		"request_id", c.id, "status", c.httpState, "latency_ms", h.cfg.Clock().Sub(c.start).Milliseconds(),
	}
	if c.principal != nil {
		attrs = append(attrs, "org", c.principal.Org, "workspace", c.principal.Workspace, "token_id", c.principal.TokenID)
	}
	if c.req != nil {
		attrs = append(attrs, "model", c.req.Model, "stream", c.req.Stream)
	}
	if c.attempts > 0 {
		attrs = append(attrs, "provider", c.used.Conn.Name, "upstream_model", c.used.Target.Model,
			"attempts", c.attempts, "ttft_ms", c.ttft.Milliseconds(), "outcome", c.status)
	}
	if c.usage != nil {
		attrs = append(attrs, "tokens_in", c.usage.PromptTokens, "tokens_out", c.usage.CompletionTokens)
	}
	if c.res != nil {
		attrs = append(attrs, "cost_nano", int64(c.billed))
	}
	if c.errCode != "" {
		attrs = append(attrs, "error_code", c.errCode)
	}
	h.cfg.Logger.Info("chat.completions", attrs...)
}
