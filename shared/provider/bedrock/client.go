package bedrock

import (
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/auth/bearer"
	"github.com/aws/smithy-go/logging"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// Auth scheme names as the SDK's AuthSchemePreference spells them.
const (
	schemeSigV4  = "sigv4"
	schemeBearer = "httpBearerAuth"
)

// sdkClient builds a Bedrock Runtime client for one call. It is built per
// call rather than cached so a workspace's credentials live only as long as
// the call that uses them; construction is in-memory and cheap next to the
// call itself.
//
// The client makes its requests through the injected *http.Client, with
// the SDK's retries off (the gateway's router decides whether to retry or
// fall back) and nothing read from the environment or shared config: with
// an API key it authenticates with Bedrock API keys (Authorization: Bearer,
// over HTTPS only), otherwise it signs with SigV4 for service "bedrock"
// using the static AWS keys. The auth preference is set explicitly, so an
// AWS_BEARER_TOKEN_BEDROCK variable in the process environment, which the
// SDK would otherwise pick up, never replaces the workspace's credential.
func (p *Provider) sdkClient(call *provider.Call) (*bedrockruntime.Client, error) {
	region := call.Endpoint.Region
	if region == "" {
		region = DefaultRegion
	}
	opts := bedrockruntime.Options{
		Region:     region,
		HTTPClient: boundedClient{c: p.client},
		Retryer:    aws.NopRetryer{},
		Logger:     logging.Nop{},
	}
	if base := strings.TrimSuffix(call.Endpoint.BaseURL, "/"); base != "" {
		opts.BaseEndpoint = aws.String(base)
	}
	cred := call.Credential
	var auth func(*bedrockruntime.Options)
	switch {
	case cred.APIKey != "":
		if base := call.Endpoint.BaseURL; base != "" && !strings.HasPrefix(strings.ToLower(base), "https://") {
			return nil, apperr.New(apperr.Invalid, "invalid_base_url", "bedrock: API keys are sent only to an https endpoint")
		}
		token := bearer.StaticTokenProvider{Token: bearer.Token{Value: cred.APIKey}}
		auth = func(o *bedrockruntime.Options) {
			o.Credentials = nil
			o.BearerAuthTokenProvider = token
			o.AuthSchemePreference = []string{schemeBearer}
		}
	case cred.AWSAccessKeyID != "" && cred.AWSSecretAccessKey != "":
		creds := credentials.NewStaticCredentialsProvider(cred.AWSAccessKeyID, cred.AWSSecretAccessKey, cred.AWSSessionToken)
		auth = func(o *bedrockruntime.Options) {
			o.Credentials = creds
			o.BearerAuthTokenProvider = nil
			o.AuthSchemePreference = []string{schemeSigV4}
		}
	default:
		return nil, apperr.New(apperr.Invalid, "provider_credential_missing",
			"bedrock: the credential has neither an API key nor AWS access keys")
	}
	return bedrockruntime.New(opts, auth), nil
}

// boundedClient adapts the injected client to the SDK.
//
// It caps non-streamed response bodies at MaxResponseSize, so the SDK's
// deserializer never buffers an unbounded body; event streams are left
// alone, as the event stream decoder bounds each message itself.
//
// It also hides the request body's WriteTo. The SDK closes the request body
// as soon as the response headers arrive, and its body then answers WriteTo
// with io.EOF as an error. net/http, after writing a body of known length,
// reads it once more to check for extra bytes, through WriteTo when the body
// has one; when the upstream answers before that check, the check fails
// and net/http closes the connection under the response being read, cutting
// a stream short. Through Read, a closed body is a clean io.EOF.
type boundedClient struct {
	c *http.Client
}

// readOnlyBody exposes only Read and Close of a request body.
type readOnlyBody struct {
	io.ReadCloser
}

// Do sends req through the injected client with the adjustments above.
func (b boundedClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		r := *req
		r.Body = readOnlyBody{req.Body}
		req = &r
	}
	resp, err := b.c.Do(req)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.amazon.eventstream") {
		resp.Body = http.MaxBytesReader(nil, resp.Body, MaxResponseSize)
	}
	return resp, nil
}

// secrets lists the credential values of a call, for scrubbing messages.
func secrets(c provider.Credential) []string {
	return []string{c.APIKey, c.AWSSecretAccessKey, c.AWSSessionToken}
}
