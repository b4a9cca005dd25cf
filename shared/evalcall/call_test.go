package evalcall

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/route"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// stubProvider answers every call with the next error of errs (nil: a
// one-word answer) and counts the calls.
type stubProvider struct {
	calls atomic.Int32
	errs  []error
}

func (p *stubProvider) Complete(context.Context, *provider.Call) (*chat.Response, error) {
	n := int(p.calls.Add(1)) - 1
	if n < len(p.errs) && p.errs[n] != nil {
		return nil, p.errs[n]
	}
	return &chat.Response{Choices: []chat.Choice{{Message: chat.Message{Role: chat.RoleAssistant, Content: chat.TextContent("ok")}}}}, nil
}

func (p *stubProvider) Stream(context.Context, *provider.Call) (provider.Stream, error) {
	return nil, errors.New("not streamed")
}

func snapshot(t *testing.T, settings workspace.Settings) *workspace.Snapshot {
	t.Helper()
	prices, err := pricing.NewTable(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &workspace.Snapshot{
		Org: id.New(id.Org), Workspace: id.New(id.Workspace), Settings: settings, Prices: prices,
		Connections: map[string]workspace.Connection{
			"loop":   {Name: "loop", Kind: workspace.KindOpenAI, SealedKey: "sealed"},
			"claude": {Name: "claude", Kind: workspace.KindAnthropic}, // no key
		},
		Aliases: map[string]workspace.Alias{
			"fast": {Name: "fast", Version: 1, Targets: []workspace.Target{
				{Connection: "loop", Model: "gpt-4o-mini"}, {Connection: "claude", Model: "claude-haiku-4-5"}}},
			"careful": {Name: "careful", Version: 1, Targets: []workspace.Target{
				{Connection: "claude", Model: "claude-sonnet-4-5"}, {Connection: "loop", Model: "gpt-4o"}}},
		},
	}
}

func wantCode(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if e := apperr.As(err); e.Kind != kind || e.Code != code {
		t.Fatalf("error %v is %s/%s, want %s/%s", err, e.Kind, e.Code, kind, code)
	}
}

func TestCeiling(t *testing.T) {
	rt := route.Route{Price: pricing.Price{Input: 1, Output: 1, MaxOutput: 16_384}}
	ws := func(max int64) *workspace.Snapshot {
		return &workspace.Snapshot{Settings: workspace.Settings{MaxOutputTokens: max}}
	}
	for _, tc := range []struct {
		name    string
		snap    *workspace.Snapshot
		ceiling int64
		want    int64
	}{
		{name: "none: the model's own", snap: nil, ceiling: 0, want: 16_384},
		{name: "negative: the model's own", snap: nil, ceiling: -5, want: 16_384},
		{name: "caller's, below the model's", snap: nil, ceiling: 1000, want: 1000},
		{name: "caller's equal to the model's", snap: nil, ceiling: 16_384, want: 16_384},
		{name: "caller's above the model's", snap: nil, ceiling: 50_000, want: 16_384},
		{name: "workspace without a ceiling", snap: ws(0), ceiling: 1000, want: 1000},
		{name: "workspace's, below the caller's", snap: ws(500), ceiling: 1000, want: 500},
		{name: "workspace's, above the caller's", snap: ws(2000), ceiling: 1000, want: 1000},
		{name: "workspace's, without the caller's", snap: ws(500), ceiling: 0, want: 500},
		{name: "workspace's, above the model's", snap: ws(100_000), ceiling: 0, want: 16_384},
		{name: "workspace's, above the model's, caller's above too", snap: ws(100_000), ceiling: 60_000, want: 16_384},
		{name: "all three: the workspace's lowest", snap: ws(300), ceiling: 50_000, want: 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Ceiling(rt, tc.snap, tc.ceiling); got != tc.want {
				t.Fatalf("Ceiling(max %d, workspace %v, %d) = %d, want %d", rt.Price.MaxOutput, tc.snap, tc.ceiling, got, tc.want)
			}
		})
	}
}

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"rate limited", apperr.New(apperr.RateLimited, "upstream_rate_limited", "m"), true},
		{"upstream timeout", apperr.New(apperr.UpstreamTimeout, "upstream_timeout", "m"), true},
		{"store unavailable", apperr.New(apperr.Unavailable, "budget_store_unavailable", "m"), true},
		{"internal", apperr.New(apperr.Internal, "internal_error", "m"), true},
		{"upstream error", apperr.New(apperr.UpstreamFailed, "upstream_error", "m"), true},
		{"upstream unreachable", apperr.New(apperr.UpstreamFailed, "upstream_unreachable", "m"), true},
		{"upstream invalid response", apperr.New(apperr.UpstreamFailed, "upstream_invalid_response", "m"), true},
		{"key rejected", apperr.New(apperr.UpstreamFailed, "provider_key_rejected", "m"), false},
		{"invalid", apperr.New(apperr.Invalid, "upstream_invalid_request", "m"), false},
		{"budget exhausted", apperr.New(apperr.BudgetExhausted, "budget_exhausted", "m"), false},
		{"not found", apperr.New(apperr.NotFound, "model_not_found", "m"), false},
		{"forbidden", apperr.New(apperr.Forbidden, "model_not_allowed", "m"), false},
		{"too large", apperr.New(apperr.TooLarge, "judge_input_too_large", "m"), false},
		{"unprocessable", apperr.New(apperr.Unprocessable, "x", "m"), false},
		{"wrapped rate limit", fmt.Errorf("item 3: %w", apperr.New(apperr.RateLimited, "upstream_rate_limited", "m")), true},
		{"wrapped key rejected", fmt.Errorf("item 3: %w", apperr.New(apperr.UpstreamFailed, "provider_key_rejected", "m")), false},
		{"wrapped budget exhausted", fmt.Errorf("item 3: %w", apperr.New(apperr.BudgetExhausted, "budget_exhausted", "m")), false},
		{"plain error", errors.New("connection reset by peer"), true},
		{"context deadline", context.DeadlineExceeded, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Transient(tc.err); got != tc.want {
				t.Fatalf("Transient(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// TestUpstreamError checks how provider failures are typed, and that the
// worker retries exactly the ones that may pass.
func TestUpstreamError(t *testing.T) {
	rt := route.Route{Conn: workspace.Connection{Name: "loop", Kind: workspace.KindOpenAI}}
	for _, tc := range []struct {
		name      string
		err       error
		kind      apperr.Kind
		code      string
		transient bool
	}{
		{"timeout", &provider.Error{Provider: "openai", Timeout: true}, apperr.UpstreamTimeout, "upstream_timeout", true},
		{"429", &provider.Error{Provider: "openai", StatusCode: 429, RetryAfter: 3 * time.Second}, apperr.RateLimited, "upstream_rate_limited", true},
		{"401", &provider.Error{Provider: "openai", StatusCode: 401}, apperr.UpstreamFailed, "provider_key_rejected", false},
		{"403", &provider.Error{Provider: "openai", StatusCode: 403}, apperr.UpstreamFailed, "provider_key_rejected", false},
		{"400", &provider.Error{Provider: "openai", StatusCode: 400}, apperr.Invalid, "upstream_invalid_request", false},
		{"404", &provider.Error{Provider: "openai", StatusCode: 404}, apperr.Invalid, "upstream_invalid_request", false},
		{"500", &provider.Error{Provider: "openai", StatusCode: 500}, apperr.UpstreamFailed, "upstream_error", true},
		{"503", &provider.Error{Provider: "openai", StatusCode: 503}, apperr.UpstreamFailed, "upstream_error", true},
		{"unreachable", &provider.Error{Provider: "openai", Err: errors.New("dial tcp: refused")}, apperr.UpstreamFailed, "upstream_unreachable", true},
		{"not a provider error", errors.New("boom"), apperr.UpstreamFailed, "upstream_unreachable", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := upstreamError(rt, tc.err)
			wantCode(t, err, tc.kind, tc.code)
			if !errors.Is(err, tc.err) {
				t.Fatalf("%v lost its cause %v", err, tc.err)
			}
			if got := Transient(err); got != tc.transient {
				t.Fatalf("Transient(%v) = %v, want %v", err, got, tc.transient)
			}
			if tc.code == "upstream_rate_limited" && apperr.As(err).RetryAfter != 3*time.Second {
				t.Fatalf("retry-after lost: %v", apperr.As(err).RetryAfter)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	openai, mock := &stubProvider{}, &stubProvider{}
	for _, tc := range []struct {
		name      string
		providers map[string]provider.Provider
		mock      bool
		target    string
		want      string // the route's target; "" when refused
		kind      apperr.Kind
		code      string
	}{
		{name: "connection/model", providers: map[string]provider.Provider{"openai": openai}, target: "loop/gpt-4o-mini", want: "loop/gpt-4o-mini"},
		{name: "bare model", providers: map[string]provider.Provider{"openai": openai}, target: "gpt-4o", want: "loop/gpt-4o"},
		{name: "alias: its primary target", providers: map[string]provider.Provider{"openai": openai, "anthropic": openai}, target: "fast", want: "loop/gpt-4o-mini"},
		{name: "mock, enabled", providers: map[string]provider.Provider{"mock": mock}, mock: true, target: "mock/mock-small", want: "mock/mock-small"},
		{name: "kind without an adapter", providers: map[string]provider.Provider{"anthropic": openai}, target: "loop/gpt-4o",
			kind: apperr.Invalid, code: "provider_unavailable"},
		{name: "no adapters at all", providers: nil, target: "loop/gpt-4o", kind: apperr.Invalid, code: "provider_unavailable"},
		{name: "alias whose primary has no adapter: no fallback", providers: map[string]provider.Provider{"openai": openai}, target: "careful",
			kind: apperr.Invalid, code: "provider_unavailable"},
		{name: "mock enabled without its adapter", providers: map[string]provider.Provider{"openai": openai}, mock: true, target: "mock/mock-small",
			kind: apperr.Invalid, code: "provider_unavailable"},
		{name: "mock disabled", providers: map[string]provider.Provider{"mock": mock, "openai": openai}, target: "mock/mock-small",
			kind: apperr.NotFound, code: "model_not_found"},
		{name: "unknown model", providers: map[string]provider.Provider{"openai": openai}, target: "no-such-model",
			kind: apperr.NotFound, code: "model_not_found"},
		{name: "unpriced model", providers: map[string]provider.Provider{"openai": openai}, target: "loop/my-finetune",
			kind: apperr.Invalid, code: "model_not_priced"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Config{Providers: tc.providers, MockEnabled: tc.mock})
			rt, err := c.Resolve(snapshot(t, workspace.Settings{}), tc.target)
			if tc.want == "" {
				wantCode(t, err, tc.kind, tc.code)
				if tc.code == "provider_unavailable" && apperr.As(err).Param != "model" {
					t.Fatalf("param %q, want model", apperr.As(err).Param)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rt.Target.String() != tc.want {
				t.Fatalf("resolved %s, want %s", rt.Target, tc.want)
			}
			kind, model := rt.Conn.Kind, rt.Target.Model
			if p, _ := (*pricing.Table)(nil).Lookup(kind, model); rt.Price != p || p.MaxOutput == 0 {
				t.Fatalf("route priced %+v, want %s/%s's %+v", rt.Price, kind, model, p)
			}
		})
	}
}

type refusingOpener struct{ opened atomic.Int32 }

func (o *refusingOpener) Open(context.Context, secrets.Scope, string, string, string) ([]byte, error) {
	o.opened.Add(1)
	return nil, apperr.New(apperr.Unavailable, "secrets_unavailable", "m")
}

// TestCompleteRefusesBeforeReserving checks the refusals Complete makes
// before any reservation: the Caller has no budget gate, so reaching the
// reservation would panic, and the provider must never be called.
func TestCompleteRefusesBeforeReserving(t *testing.T) {
	two := 2
	errHalted := errors.New("the run was stopped")
	for _, tc := range []struct {
		name   string
		req    chat.Request
		check  func(context.Context) error
		kind   apperr.Kind
		code   string
		err    error // the exact error, when it is the caller's own
		opened int32
	}{
		{name: "unknown model", req: chat.Request{Model: "no-such-model"}, kind: apperr.NotFound, code: "model_not_found"},
		{name: "kind without an adapter", req: chat.Request{Model: "claude/claude-haiku-4-5"}, kind: apperr.Invalid, code: "provider_unavailable"},
		{name: "two choices", req: chat.Request{Model: "mock/mock-small", N: &two}, kind: apperr.Invalid, code: "invalid_request"},
		{name: "no key for the connection", req: chat.Request{Model: "claude2/claude-haiku-4-5"}, kind: apperr.Invalid, code: "provider_key_missing"},
		{name: "key cannot be opened", req: chat.Request{Model: "loop/gpt-4o-mini"}, kind: apperr.Unavailable, code: "secrets_unavailable", opened: 1},
		{name: "check refuses", req: chat.Request{Model: "mock/mock-small"}, check: func(context.Context) error { return errHalted }, err: errHalted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &stubProvider{}
			o := &refusingOpener{}
			c := New(Config{Secrets: o, MockEnabled: true, Providers: map[string]provider.Provider{
				workspace.KindOpenAI: p, workspace.KindMock: p, "bedrock": p}})
			snap := snapshot(t, workspace.Settings{})
			snap.Connections["claude2"] = workspace.Connection{Name: "claude2", Kind: workspace.KindBedrock}
			snap.Prices, _ = pricing.NewTable(map[string]pricing.Price{"claude2/claude-haiku-4-5": {Input: 1, Output: 1, MaxOutput: 10}})
			req := tc.req
			req.Messages = []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("hi")}}
			_, err := c.Complete(context.Background(), nil, Call{
				Scope: secrets.Scope{Org: snap.Org}, Snapshot: snap, RequestID: "r1", Request: &req, Check: tc.check,
			})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
			} else {
				wantCode(t, err, tc.kind, tc.code)
			}
			if n := p.calls.Load(); n != 0 {
				t.Fatalf("the provider was called %d times", n)
			}
			if n := o.opened.Load(); n != tc.opened {
				t.Fatalf("the key was opened %d times, want %d", n, tc.opened)
			}
			if req.Model != tc.req.Model || req.MaxTokens != nil {
				t.Fatalf("the caller's request was changed: %+v", req)
			}
		})
	}
}

func TestAttemptRetries(t *testing.T) {
	rt := route.Route{Conn: workspace.Connection{Name: "loop", Kind: workspace.KindOpenAI}}
	e500 := &provider.Error{Provider: "openai", StatusCode: 500}
	e429 := &provider.Error{Provider: "openai", StatusCode: 429}
	e400 := &provider.Error{Provider: "openai", StatusCode: 400}
	for _, tc := range []struct {
		name     string
		retries  int
		errs     []error
		attempts int
		code     string // "" when it succeeds
	}{
		{name: "first try", retries: 1, errs: nil, attempts: 1},
		{name: "5xx, then success", retries: 1, errs: []error{e500}, attempts: 2},
		{name: "429 twice, then success", retries: 2, errs: []error{e429, e429}, attempts: 3},
		{name: "5xx past the retries", retries: 1, errs: []error{e500, e500, e500}, attempts: 2, code: "upstream_error"},
		{name: "400 is not retried", retries: 3, errs: []error{e400}, attempts: 1, code: "upstream_invalid_request"},
		{name: "untyped error is not retried", retries: 3, errs: []error{errors.New("boom")}, attempts: 1, code: "upstream_unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &stubProvider{errs: tc.errs}
			c := New(Config{Retries: tc.retries, RetryBase: time.Millisecond, Providers: map[string]provider.Provider{"openai": p}})
			resp, attempts, err := c.attempt(context.Background(), rt, &provider.Call{})
			if attempts != tc.attempts || int(p.calls.Load()) != tc.attempts {
				t.Fatalf("%d attempts (%d calls), want %d", attempts, p.calls.Load(), tc.attempts)
			}
			if tc.code == "" {
				if err != nil || resp == nil {
					t.Fatalf("resp %v, err %v", resp, err)
				}
				return
			}
			if resp != nil || apperr.As(err).Code != tc.code {
				t.Fatalf("resp %v, err %v; want %s", resp, err, tc.code)
			}
		})
	}
}

func TestBilled(t *testing.T) {
	answer := func(text string, u *chat.Usage) *chat.Response {
		return &chat.Response{Usage: u, Choices: []chat.Choice{{Message: chat.Message{Content: chat.TextContent(text)}}}}
	}
	for _, tc := range []struct {
		name      string
		resp      *chat.Response
		err       error
		want      chat.Usage
		estimated bool
	}{
		{name: "provider usage", resp: answer("hello", &chat.Usage{PromptTokens: 12, CompletionTokens: 2}),
			want: chat.Usage{PromptTokens: 12, CompletionTokens: 2}},
		{name: "no usage: bounds", resp: answer("hello", nil), want: chat.Usage{PromptTokens: 40, CompletionTokens: 5}, estimated: true},
		{name: "zero usage: bounds", resp: answer("hello", &chat.Usage{}), want: chat.Usage{PromptTokens: 40, CompletionTokens: 5}, estimated: true},
		{name: "no completion tokens for a non-empty answer: bounds", resp: answer("hello", &chat.Usage{PromptTokens: 12}),
			want: chat.Usage{PromptTokens: 40, CompletionTokens: 5}, estimated: true},
		{name: "output bytes over the ceiling", resp: answer("0123456789abcdefghijklmnopqrstuvwxyz", nil),
			want: chat.Usage{PromptTokens: 40, CompletionTokens: 30}, estimated: true},
		{name: "empty answer with prompt usage", resp: answer("", &chat.Usage{PromptTokens: 12}), want: chat.Usage{PromptTokens: 12}},
		{name: "refused before generating", err: upstreamError(route.Route{}, &provider.Error{StatusCode: 400})},
		{name: "timed out", err: upstreamError(route.Route{}, &provider.Error{Timeout: true}), estimated: true},
		{name: "unknown failure", err: context.Canceled, estimated: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, estimated := billed(tc.resp, tc.err, 40, 30)
			if got != tc.want || estimated != tc.estimated {
				t.Fatalf("billed %+v (estimated %v), want %+v (estimated %v)", got, estimated, tc.want, tc.estimated)
			}
		})
	}
}
