package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

// DefaultBaseURL is OpenAI's API root, used when a call names no base URL.
const DefaultBaseURL = "https://api.openai.com/v1"

// DefaultAzureAPIVersion is the Azure OpenAI api-version used when the
// endpoint names none: the GA data-plane version current when this was built.
const DefaultAzureAPIVersion = "2024-10-21"

// MaxResponseBytes bounds a non-streamed response body, so a misbehaving
// upstream cannot make the gateway buffer without limit.
const MaxResponseBytes = 16 << 20

// Flavor selects how requests are addressed and authenticated.
type Flavor int

const (
	// FlavorOpenAI posts to <base>/chat/completions with a Bearer key; it
	// serves OpenAI and every compatible server.
	FlavorOpenAI Flavor = iota
	// FlavorAzure posts to <base>/openai/deployments/<model>/chat/completions
	// with an api-version query parameter and an api-key header; the
	// request's model names the deployment.
	FlavorAzure
)

// Options configure a Provider.
type Options struct {
	// Flavor is FlavorOpenAI unless set.
	Flavor Flavor
	// Name labels errors from this provider ("groq", "vllm", …); it
	// defaults to "openai", or "azure" for FlavorAzure.
	Name string
	// Now is the clock used to read Retry-After dates; time.Now by default.
	Now func() time.Time
}

// Provider is the OpenAI-compatible adapter. It is safe for concurrent use.
type Provider struct {
	client      *http.Client
	flavor      Flavor
	name        string
	now         func() time.Time
	maxResponse int64
}

var _ provider.Provider = (*Provider)(nil)

// New returns an adapter that makes every request through client, the
// gateway's one outbound client (DESIGN §9). It panics on a nil client,
// which is a wiring bug caught at start-up.
func New(client *http.Client, opts Options) *Provider {
	if client == nil {
		panic("openai: nil http.Client")
	}
	p := &Provider{client: client, flavor: opts.Flavor, name: opts.Name, now: opts.Now, maxResponse: MaxResponseBytes}
	if p.name == "" {
		p.name = "openai"
		if p.flavor == FlavorAzure {
			p.name = "azure"
		}
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p
}

type metadataKey struct{}

// WithMetadata returns a context under which calls forward the request's
// metadata upstream. By default it is stripped: metadata carries Tollgate's
// caller tags, and OpenAI accepts it only together with store.
func WithMetadata(ctx context.Context) context.Context {
	return context.WithValue(ctx, metadataKey{}, true)
}

func forwardMetadata(ctx context.Context) bool {
	v, _ := ctx.Value(metadataKey{}).(bool)
	return v
}

// Complete makes a non-streamed call.
func (p *Provider) Complete(ctx context.Context, call *provider.Call) (*chat.Response, error) {
	req, err := p.newRequest(ctx, call, false)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, p.transportError(ctx, 0, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, p.statusError(resp, call.Credential.APIKey)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.maxResponse+1))
	if err != nil {
		return nil, p.transportError(ctx, resp.StatusCode, err)
	}
	if int64(len(body)) > p.maxResponse {
		return nil, p.tooLarge(resp.StatusCode)
	}
	var w response
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, p.invalidResponse(resp.StatusCode, fmt.Errorf("decode response: %w", err))
	}
	if d := detailOf(w.Error, &w.flatError); d != nil {
		return nil, p.eventError(resp.StatusCode, d, call.Credential.APIKey)
	}
	if len(w.Choices) == 0 {
		return nil, p.invalidResponse(resp.StatusCode, errors.New("response has no choices"))
	}
	return toResponse(&w), nil
}

// Stream makes a streamed call. It returns once the upstream answered with a
// success status; errors before that come back here so the router can fall back.
func (p *Provider) Stream(ctx context.Context, call *provider.Call) (provider.Stream, error) {
	sctx, cancel := context.WithCancel(ctx)
	req, err := p.newRequest(sctx, call, true)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		cancel()
		return nil, p.transportError(ctx, 0, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer cancel()
		defer resp.Body.Close()
		return nil, p.statusError(resp, call.Credential.APIKey)
	}
	return &stream{
		p:        p,
		ctx:      sctx,
		cancel:   cancel,
		body:     resp.Body,
		events:   sse.NewReader(resp.Body),
		key:      call.Credential.APIKey,
		reqModel: call.Request.Model,
	}, nil
}

// newRequest builds the upstream request. The key travels only in a header.
func (p *Provider) newRequest(ctx context.Context, call *provider.Call, stream bool) (*http.Request, error) {
	if call == nil || call.Request == nil {
		return nil, apperr.New(apperr.Internal, "provider_call", "provider call without a request")
	}
	target, err := p.endpointURL(call)
	if err != nil {
		return nil, err
	}
	body, err := requestBody(call.Request, stream, forwardMetadata(ctx))
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "provider_call", "could not encode the provider request")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "provider_call", "could not build the provider request")
	}
	req.Header.Set("Content-Type", "application/json")
	if stream {
		req.Header.Set("Accept", "text/event-stream")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	if key := call.Credential.APIKey; key != "" {
		if p.flavor == FlavorAzure {
			req.Header.Set("api-key", key)
		} else {
			req.Header.Set("Authorization", "Bearer "+key)
		}
	}
	return req, nil
}

// endpointURL returns the chat completions URL for the call. Errors never
// quote the base URL, which is tenant configuration.
func (p *Provider) endpointURL(call *provider.Call) (string, error) {
	base := call.Endpoint.BaseURL
	if base == "" {
		if p.flavor == FlavorAzure {
			return "", apperr.New(apperr.Invalid, "invalid_base_url", "Azure OpenAI needs the resource's base URL")
		}
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", apperr.New(apperr.Invalid, "invalid_base_url", "the provider base URL is not a valid http(s) URL")
	}
	root := strings.TrimRight(base, "/")
	if p.flavor != FlavorAzure {
		return root + "/chat/completions", nil
	}
	model := call.Request.Model
	if model == "" {
		return "", apperr.New(apperr.Invalid, "model_required", "Azure OpenAI needs the deployment name as the model")
	}
	version := call.Endpoint.APIVersion
	if version == "" {
		version = DefaultAzureAPIVersion
	}
	return root + "/openai/deployments/" + url.PathEscape(model) + "/chat/completions?api-version=" + url.QueryEscape(version), nil
}
