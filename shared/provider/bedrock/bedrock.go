package bedrock

import (
	"context"
	"net/http"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// Name identifies the provider in errors and traces.
const Name = "bedrock"

// DefaultRegion is used when the endpoint names no region.
const DefaultRegion = "us-east-1"

// MaxResponseSize bounds a non-streamed response body, so a misbehaving
// upstream cannot make the gateway buffer without limit.
const MaxResponseSize = 16 << 20

// Provider calls Amazon Bedrock's Converse and ConverseStream. It is safe
// for concurrent use.
type Provider struct {
	client *http.Client
	now    func() time.Time
}

var _ provider.Provider = (*Provider)(nil)

// Option configures a Provider.
type Option func(*Provider)

// WithClock sets the clock that stamps responses and reads Retry-After
// dates, so tests are exact; the default is time.Now. Request signing
// always uses the SDK's own clock, as AWS checks it against real time.
func WithClock(now func() time.Time) Option {
	return func(p *Provider) { p.now = now }
}

// New returns a Provider that makes every request through client, the
// gateway's one outbound client (DESIGN §9). It panics on a nil client
// rather than let the SDK build a default one that skips those checks.
func New(client *http.Client, opts ...Option) *Provider {
	if client == nil {
		panic("bedrock: nil http.Client")
	}
	p := &Provider{client: client, now: time.Now}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Complete calls Converse.
func (p *Provider) Complete(ctx context.Context, call *provider.Call) (*chat.Response, error) {
	req, err := prepare(call)
	if err != nil {
		return nil, err
	}
	client, err := p.sdkClient(call)
	if err != nil {
		return nil, err
	}
	out, err := client.Converse(ctx, req.converse(call.Request.Model))
	if err != nil {
		return nil, callError(ctx, err, p.now(), secrets(call.Credential))
	}
	resp, err := fromConverse(out, responseID(out.ResultMetadata), call.Request.Model, p.now().UTC().Unix())
	if err != nil {
		return nil, &provider.Error{Provider: Name, StatusCode: http.StatusOK, Type: "invalid_response", Message: "malformed response body", Err: err}
	}
	return resp, nil
}

// Stream calls ConverseStream. It returns once Bedrock has answered with a
// success status.
func (p *Provider) Stream(ctx context.Context, call *provider.Call) (provider.Stream, error) {
	req, err := prepare(call)
	if err != nil {
		return nil, err
	}
	client, err := p.sdkClient(call)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	out, err := client.ConverseStream(ctx, req.converseStream(call.Request.Model))
	if err != nil {
		cancel()
		return nil, callError(ctx, err, p.now(), secrets(call.Credential))
	}
	return newStream(ctx, cancel, out.GetStream(), responseID(out.ResultMetadata), call.Request.Model,
		p.now().UTC().Unix(), secrets(call.Credential)), nil
}

// prepare checks the call and converts its request.
func prepare(call *provider.Call) (*request, error) {
	if call == nil || call.Request == nil {
		return nil, apperr.New(apperr.Invalid, "invalid_request", "bedrock: no request")
	}
	if call.Request.Model == "" {
		return nil, apperr.New(apperr.Invalid, "invalid_model", "bedrock: no model").WithParam("model")
	}
	return toConverse(call.Request)
}

// responseID names a completion after Bedrock's request id, which AWS
// support can trace, or a random id when there is none.
func responseID(md middleware.Metadata) string {
	if rid, ok := awsmiddleware.GetRequestIDMetadata(md); ok && rid != "" {
		return "chatcmpl-" + rid
	}
	return id.New("chatcmpl-")
}
