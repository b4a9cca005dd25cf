package bedrock

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

func TestStatusErrors(t *testing.T) {
	cases := []struct {
		name      string
		handler   http.HandlerFunc
		status    int
		wantType  string
		wantMsg   string
		wantRetry time.Duration
		retryable bool
		timeout   bool
	}{
		{"429 with Retry-After", awsError(429, "ThrottlingException", "Too many requests, please wait before trying again.", http.Header{"Retry-After": {"7"}}),
			429, "ThrottlingException", "Too many requests, please wait before trying again.", 7 * time.Second, true, false},
		{"429 without Retry-After", awsError(429, "ThrottlingException", "Too many requests, please wait before trying again.", nil),
			429, "ThrottlingException", "Too many requests, please wait before trying again.", 0, true, false},
		{"500 without Retry-After", awsError(500, "InternalServerException", "The server encountered an internal error while processing the request.", nil),
			500, "InternalServerException", "The server encountered an internal error while processing the request.", 0, true, false},
		{"500 with Retry-After", awsError(500, "InternalServerException", "Internal error.", http.Header{"Retry-After": {"2"}}),
			500, "InternalServerException", "Internal error.", 2 * time.Second, true, false},
		{"503 with Retry-After", awsError(503, "ServiceUnavailableException", "Bedrock is unable to process your request.", http.Header{"Retry-After": {"30"}}),
			503, "ServiceUnavailableException", "Bedrock is unable to process your request.", 30 * time.Second, true, false},
		{"503 without Retry-After", awsError(503, "ServiceUnavailableException", "Bedrock is unable to process your request.", nil),
			503, "ServiceUnavailableException", "Bedrock is unable to process your request.", 0, true, false},
		{"408 model timeout", awsError(408, "ModelTimeoutException", "Model has timed out in processing the request.", nil),
			408, "ModelTimeoutException", "Model has timed out in processing the request.", 0, true, true},
		{"424 model error", awsError(424, "ModelErrorException", "The model returned an error.", nil),
			424, "ModelErrorException", "The model returned an error.", 0, false, false},
		{"400 validation", awsError(400, "ValidationException", "The provided model identifier is invalid.", nil),
			400, "ValidationException", "The provided model identifier is invalid.", 0, false, false},
		{"404 not found", awsError(404, "ResourceNotFoundException", "Model not found.", nil),
			404, "ResourceNotFoundException", "Model not found.", 0, false, false},
		{"403 echoing the secret", awsError(403, "AccessDeniedException", "Signature mismatch computed with "+testSecret+" for "+testAccessKey, nil),
			403, "AccessDeniedException", "Signature mismatch computed with [redacted] for " + testAccessKey, 0, false, false},
		{"403 bad credentials", awsError(403, "UnrecognizedClientException", "The security token included in the request is invalid.", nil),
			403, "UnrecognizedClientException", "The security token included in the request is invalid.", 0, false, false},
		{"502 from a proxy", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			w.Write([]byte("<html><body>Bad Gateway</body></html>"))
		}, 502, "", "Bad Gateway", 0, true, false},
	}
	for _, c := range cases {
		for _, streaming := range []bool{false, true} {
			name := c.name + "/complete"
			if streaming {
				name = c.name + "/stream"
			}
			t.Run(name, func(t *testing.T) {
				p, call, _ := serve(t, c.handler)
				var err error
				if streaming {
					_, err = p.Stream(context.Background(), call)
				} else {
					_, err = p.Complete(context.Background(), call)
				}
				pe, ok := provider.AsError(err)
				if !ok {
					t.Fatalf("got %v, want *provider.Error", err)
				}
				if pe.Provider != Name || pe.StatusCode != c.status || pe.Type != c.wantType || pe.Message != c.wantMsg ||
					pe.RetryAfter != c.wantRetry || pe.Retryable() != c.retryable || pe.Timeout != c.timeout {
					t.Errorf("got %#v", pe)
				}
				if strings.Contains(err.Error(), testSecret) {
					t.Errorf("the secret leaked into the error: %v", err)
				}
			})
		}
	}
}

func TestBearerErrorsDoNotCarryTheKey(t *testing.T) {
	p, call, _ := serveTLS(t, awsError(403, "AccessDeniedException", "Invalid API key "+testAPIKey, nil))
	_, err := p.Complete(context.Background(), call)
	pe, ok := provider.AsError(err)
	if !ok || pe.StatusCode != 403 || strings.Contains(err.Error(), testAPIKey) {
		t.Fatalf("got %v", err)
	}
}

func TestUnreachableUpstream(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	_, err := New(srv.Client()).Complete(context.Background(), &provider.Call{
		Request:    &chat.Request{Model: testModel, Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("hi")}}},
		Credential: provider.Credential{AWSAccessKeyID: testAccessKey, AWSSecretAccessKey: testSecret},
		Endpoint:   provider.Endpoint{BaseURL: base, Region: testRegion},
	})
	pe, ok := provider.AsError(err)
	if !ok || pe.StatusCode != 0 || pe.Timeout || pe.Err == nil || !pe.Retryable() {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(err.Error(), "/model/") || strings.Contains(err.Error(), testSecret) {
		t.Errorf("error names the request URL or secret: %v", err)
	}
}

func TestStatusForCode(t *testing.T) {
	cases := map[string]int{
		"ThrottlingException": 429, "throttlingException": 429, "ModelNotReadyException": 429,
		"serviceUnavailableException": 503, "internalServerException": 500, "modelTimeoutException": 408,
		"modelStreamErrorException": 424, "AccessDeniedException": 403, "validationException": 400,
		"ResourceNotFoundException": 404, "ServiceQuotaExceededException": 400, "SomethingNew": 0,
	}
	for code, want := range cases {
		if got := statusForCode(code); got != want {
			t.Errorf("statusForCode(%q) = %d, want %d", code, got, want)
		}
	}
}
