// Package provider defines what the gateway asks of an LLM provider adapter.
// Each adapter lives in its own sub-package (provider/openai, provider/anthropic,
// provider/gemini, provider/bedrock, provider/mock) and translates between the
// canonical chat types and its provider's wire format, streaming included.
package provider

import (
	"context"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Credential is what a workspace configured for a provider. Adapters read only
// the fields their provider uses; values are plaintext briefly, in memory only,
// and must never be logged or echoed in an error.
type Credential struct {
	APIKey string // bearer/API key (OpenAI, Anthropic, Gemini, Bedrock API keys)

	// AWS credentials for Bedrock when no API key is configured.
	AWSAccessKeyID     string
	AWSSecretAccessKey string
	AWSSessionToken    string
}

// Endpoint says where and how to reach the provider for one call.
type Endpoint struct {
	// BaseURL overrides the provider's default API root (OpenAI-compatible
	// upstreams, Azure resources, tests on loopback). Empty means the default.
	BaseURL string
	// Region is the AWS region for Bedrock.
	Region string
	// APIVersion is Azure OpenAI's api-version query parameter when set.
	APIVersion string
}

// Call is one upstream request. Request.Model is already the provider's own
// model name (routing has stripped any "provider/" prefix or alias), and the
// gateway has already enforced the output ceiling in Request.
type Call struct {
	Request    *chat.Request
	Credential Credential
	Endpoint   Endpoint
}

// Provider is an adapter to one provider API. Implementations are safe for
// concurrent use and make every HTTP request through the client they were
// built with (the gateway's one outbound client, DESIGN §9).
type Provider interface {
	// Complete makes a non-streamed call.
	Complete(ctx context.Context, call *Call) (*chat.Response, error)
	// Stream makes a streamed call. It returns once the upstream has
	// answered with a success status, so errors before the first byte
	// (429, 5xx, timeouts) come back here and the caller may fall back.
	Stream(ctx context.Context, call *Call) (Stream, error)
}

// Stream yields OpenAI-shaped chunks converted from the provider's events.
// Usage arrives on whichever chunk carries it (usually the last); an adapter
// that receives usage in several events merges it into one Usage.
type Stream interface {
	// Recv returns the next chunk, or io.EOF after the provider's normal end
	// of stream. Any other error means the stream broke (dropped connection,
	// an error event, malformed data): what was received so far still counts.
	Recv() (*chat.Chunk, error)
	// Close releases the connection; it is safe to call more than once and
	// cancels the upstream request if the stream is not finished.
	Close() error
}
