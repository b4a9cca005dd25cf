package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// Name identifies this provider in errors, routing and logs.
const Name = "anthropic"

// DefaultBaseURL is the public API root, used when the endpoint sets none.
const DefaultBaseURL = "https://api.anthropic.com"

// APIVersion is the anthropic-version header every request sends; it pins
// the wire format this package implements.
const APIVersion = "2023-06-01"

// DefaultMaxTokens is sent as max_tokens when the request sets no output
// ceiling, because Anthropic requires one on every request.
const DefaultMaxTokens = 4096

// maxResponseBody bounds a non-streamed response body.
const maxResponseBody = 16 << 20

// statusOverloaded is Anthropic's "overloaded" status, retryable like a 503.
const statusOverloaded = 529

// Options tunes a Provider; the zero value is ready to use.
type Options struct {
	// Now stamps the created field of responses and chunks, which Anthropic
	// does not send. Nil means time.Now.
	Now func() time.Time
	// DefaultMaxTokens replaces DefaultMaxTokens when positive.
	DefaultMaxTokens int64
}

// Provider is the Anthropic Messages API adapter. It is safe for concurrent
// use and holds no per-call state.
type Provider struct {
	client    *http.Client
	now       func() time.Time
	maxTokens int64
}

var _ provider.Provider = (*Provider)(nil)

// New returns a Provider that makes every request through client, the
// gateway's one outbound client, so its address checks apply.
// A nil client is a wiring bug and panics at construction rather than on
// the first request.
func New(client *http.Client, opts Options) *Provider {
	if client == nil {
		panic("anthropic: nil http.Client")
	}
	p := &Provider{client: client, now: opts.Now, maxTokens: opts.DefaultMaxTokens}
	if p.now == nil {
		p.now = time.Now
	}
	if p.maxTokens <= 0 {
		p.maxTokens = DefaultMaxTokens
	}
	return p
}

// Complete sends a non-streamed Messages request and converts the answer.
func (p *Provider) Complete(ctx context.Context, call *provider.Call) (*chat.Response, error) {
	resp, err := p.send(ctx, call, false)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return nil, transportError(ctx, err)
	}
	if len(raw) > maxResponseBody {
		return nil, &provider.Error{Provider: Name, StatusCode: resp.StatusCode,
			Type: "response_too_large", Message: "response too large"}
	}
	var w Response
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, invalidResponse(resp.StatusCode, fmt.Errorf("decode message: %w", err))
	}
	return fromWire(&w, p.now().UTC().Unix()), nil
}

// Stream sends a streamed Messages request. It returns once the upstream has
// answered a success status and sent its first event, so an early error
// event (overloaded_error) is returned here and the caller may fall back.
func (p *Provider) Stream(ctx context.Context, call *provider.Call) (provider.Stream, error) {
	ctx, cancel := context.WithCancel(ctx)
	resp, err := p.send(ctx, call, true)
	if err != nil {
		cancel()
		return nil, err
	}
	s := newStream(ctx, cancel, resp.Body, call.Request.Model, p.now().UTC().Unix())
	if err := s.prime(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// send builds and makes the request, returning the response only for a 2xx
// status; any other status is read into a *provider.Error.
func (p *Provider) send(ctx context.Context, call *provider.Call, stream bool) (*http.Response, error) {
	if call == nil || call.Request == nil {
		return nil, apperr.New(apperr.Internal, "internal_error", "provider call without a request")
	}
	endpoint, err := messagesURL(call.Endpoint.BaseURL)
	if err != nil {
		return nil, err
	}
	w, err := toWire(call.Request, p.maxTokens, stream)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(w)
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("encode messages request: %w", err), apperr.Internal, "internal_error", "internal error")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("build messages request: %w", err), apperr.Internal, "internal_error", "internal error")
	}
	req.Header.Set("x-api-key", call.Credential.APIKey)
	req.Header.Set("anthropic-version", APIVersion)
	req.Header.Set("content-type", "application/json")
	if stream {
		req.Header.Set("accept", "text/event-stream")
	} else {
		req.Header.Set("accept", "application/json")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, transportError(ctx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, statusError(resp, p.now())
	}
	return resp, nil
}

// messagesURL returns <base>/v1/messages. A base already ending in /v1 is
// accepted as well, since both forms are common in configurations. The base
// URL is never echoed in the error: it may name an internal host.
func messagesURL(base string) (string, error) {
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", apperr.New(apperr.Invalid, "invalid_base_url", "the provider base URL is not a valid http(s) URL")
	}
	path := strings.TrimSuffix(u.Path, "/")
	path = strings.TrimSuffix(path, "/v1")
	u.Path = path + "/v1/messages"
	u.RawPath = ""
	return u.String(), nil
}
