package gemini

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
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

// Name identifies the provider in errors and traces.
const Name = "gemini"

// DefaultBaseURL is the Gemini API root used when the endpoint sets none.
const DefaultBaseURL = "https://generativelanguage.googleapis.com"

// MaxResponseSize bounds a non-streamed response body, so a misbehaving
// upstream cannot make the gateway buffer without limit.
const MaxResponseSize = 16 << 20

// Provider calls the Gemini API. It is safe for concurrent use.
type Provider struct {
	client *http.Client
	now    func() time.Time
}

var _ provider.Provider = (*Provider)(nil)

// Option configures a Provider.
type Option func(*Provider)

// WithClock sets the clock that stamps responses and reads Retry-After
// dates, so tests are exact; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(p *Provider) { p.now = now }
}

// New returns a Provider that makes every request through client, the
// gateway's one outbound client (DESIGN §9). It panics on a nil client
// rather than fall back to a default one that skips those checks.
func New(client *http.Client, opts ...Option) *Provider {
	if client == nil {
		panic("gemini: nil http.Client")
	}
	p := &Provider{client: client, now: time.Now}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Complete calls models.generateContent.
func (p *Provider) Complete(ctx context.Context, call *provider.Call) (*chat.Response, error) {
	resp, err := p.send(ctx, call, false)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
	if err != nil {
		return nil, transportError(ctx, err)
	}
	if len(body) > MaxResponseSize {
		return nil, tooLarge(resp.StatusCode)
	}
	var w generateContentResponse
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, invalidResponse(resp.StatusCode, fmt.Errorf("decode response: %w", err))
	}
	if len(w.Candidates) == 0 && !blocked(&w) {
		return nil, invalidResponse(resp.StatusCode, fmt.Errorf("decode response: no candidates"))
	}
	return fromWire(&w, responseID(w.ResponseID), call.Request.Model, p.now().UTC().Unix()), nil
}

// Stream calls models.streamGenerateContent with alt=sse. It returns once
// the API has answered with a success status.
func (p *Provider) Stream(ctx context.Context, call *provider.Call) (provider.Stream, error) {
	ctx, cancel := context.WithCancel(ctx)
	resp, err := p.send(ctx, call, true)
	if err != nil {
		cancel()
		return nil, err
	}
	return &stream{
		ctx:     ctx,
		cancel:  cancel,
		body:    resp.Body,
		events:  sse.NewReader(resp.Body),
		key:     call.Credential.APIKey,
		model:   call.Request.Model,
		created: p.now().UTC().Unix(),
		choices: make(map[int]*choiceState),
	}, nil
}

// send converts and posts the request and maps a non-2xx answer. The key
// travels only in the x-goog-api-key header, never in the URL.
func (p *Provider) send(ctx context.Context, call *provider.Call, streaming bool) (*http.Response, error) {
	if call == nil || call.Request == nil {
		return nil, apperr.New(apperr.Invalid, "invalid_request", "gemini: no request")
	}
	target, err := endpoint(call.Endpoint.BaseURL, call.Request.Model, streaming)
	if err != nil {
		return nil, err
	}
	w, err := toWire(call.Request)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encode gemini request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build gemini request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-goog-api-key", call.Credential.APIKey)
	if streaming {
		req.Header.Set("Accept", "text/event-stream")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, transportError(ctx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, statusError(resp, p.now(), call.Credential.APIKey)
	}
	return resp, nil
}

// endpoint builds <base>/v1beta/models/<model>:<method>. A base that already
// ends in /v1beta is used as is. The model may be given bare or as
// models/<id> or tunedModels/<id>; any other slash could climb the path and
// is refused.
func endpoint(base, model string, streaming bool) (string, error) {
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", apperr.New(apperr.Invalid, "invalid_base_url", "gemini: the endpoint base URL is not a valid http(s) URL")
	}
	resource := "models/" + model
	if strings.HasPrefix(model, "models/") || strings.HasPrefix(model, "tunedModels/") {
		resource = model
	}
	_, name, _ := strings.Cut(resource, "/")
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/?#") {
		return "", apperr.New(apperr.Invalid, "invalid_model", "gemini: invalid model name").WithParam("model")
	}
	method := ":generateContent"
	if streaming {
		method = ":streamGenerateContent"
		u.RawQuery = "alt=sse"
	}
	root := strings.TrimSuffix(u.Path, "/")
	if !strings.HasSuffix(root, "/v1beta") {
		root += "/v1beta"
	}
	u.Path = root + "/" + resource + method
	u.RawPath = ""
	return u.String(), nil
}

// responseID names a completion after Google's responseId, or a random id
// when the API sent none.
func responseID(upstream string) string {
	if upstream != "" {
		return "chatcmpl-" + upstream
	}
	return id.New("chatcmpl-")
}
