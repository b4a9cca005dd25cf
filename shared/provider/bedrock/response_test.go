package bedrock

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

func TestCompleteConvertsResponses(t *testing.T) {
	const head = `"id":"chatcmpl-` + testRequestID + `","object":"chat.completion","created":1773480413,"model":"` + testModel + `"`
	cases := []struct {
		fixture, want string
	}{
		{"text.json", `{` + head + `,
			"choices":[{"index":0,"message":{"role":"assistant","content":"Red, yellow and blue."},"finish_reason":"stop"}],
			"usage":{"prompt_tokens":2374,"completion_tokens":9,"total_tokens":2383,
				"prompt_tokens_details":{"cached_tokens":2048,"cache_creation_tokens":312}}}`},
		{"tool_use.json", `{` + head + `,
			"choices":[{"index":0,"message":{"role":"assistant","content":"I'll check both cities.","tool_calls":[
				{"id":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}},
				{"id":"tooluse_3vWq8YpJQv2m1kGdXr0aBc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\",\"days\":3,\"id\":9007199254740993}"}}]},
				"finish_reason":"tool_calls"}],
			"usage":{"prompt_tokens":410,"completion_tokens":96,"total_tokens":506}}`},
		{"max_tokens.json", `{` + head + `,
			"choices":[{"index":0,"message":{"role":"assistant","content":"The history of the Roman Empire begins"},"finish_reason":"length"}],
			"usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}}`},
		{"guardrail.json", `{` + head + `,
			"choices":[{"index":0,"message":{"role":"assistant","content":"Sorry, the model cannot answer this question."},"finish_reason":"content_filter"}],
			"usage":{"prompt_tokens":25,"completion_tokens":0,"total_tokens":25}}`},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			p, call, rec := serve(t, jsonHandler(http.StatusOK, nil, fixture(t, "responses/"+c.fixture)))
			got, err := p.Complete(context.Background(), call)
			if err != nil {
				t.Fatal(err)
			}
			if c.fixture == "tool_use.json" {
				// Arguments must be exact JSON text, large integers included.
				if args := got.Choices[0].Message.ToolCalls[1].Function.Arguments; !strings.Contains(args, "9007199254740993") {
					t.Errorf("arguments lost precision: %s", args)
				}
			}
			assertJSON(t, got, c.want)
			r := rec.last(t)
			if r.Method != http.MethodPost || r.EscapedPath != "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse" {
				t.Errorf("request went to %s %s", r.Method, r.EscapedPath)
			}
			assertSigV4(t, r)
			assertNoSecret(t, r)
		})
	}
}

func TestBearerAPIKey(t *testing.T) {
	p, call, rec := serveTLS(t, jsonHandler(http.StatusOK, nil, fixture(t, "responses/max_tokens.json")))
	if _, err := p.Complete(context.Background(), call); err != nil {
		t.Fatal(err)
	}
	r := rec.last(t)
	if got := r.Header.Get("Authorization"); got != "Bearer "+testAPIKey {
		t.Errorf("Authorization = %q", got)
	}
	assertNoSecret(t, r)
}

func TestBearerAPIKeyNeedsHTTPS(t *testing.T) {
	p, call, rec := serve(t, jsonHandler(http.StatusOK, nil, fixture(t, "responses/max_tokens.json")))
	call.Credential = provider.Credential{APIKey: testAPIKey}
	_, err := p.Complete(context.Background(), call)
	if err == nil || strings.Contains(err.Error(), testAPIKey) {
		t.Fatalf("got %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) != 0 {
		t.Fatal("the key went over plain HTTP")
	}
}

func TestEnvironmentTokenDoesNotReplaceCredential(t *testing.T) {
	t.Setenv("AWS_BEARER_TOKEN_BEDROCK", "env-token-that-must-not-be-used")
	p, call, rec := serve(t, jsonHandler(http.StatusOK, nil, fixture(t, "responses/max_tokens.json")))
	if _, err := p.Complete(context.Background(), call); err != nil {
		t.Fatal(err)
	}
	assertSigV4(t, rec.last(t))
}

func TestSessionTokenIsSent(t *testing.T) {
	p, call, rec := serve(t, jsonHandler(http.StatusOK, nil, fixture(t, "responses/max_tokens.json")))
	call.Credential.AWSSessionToken = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"
	if _, err := p.Complete(context.Background(), call); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t).Header.Get("X-Amz-Security-Token"); got != "IQoJb3JpZ2luX2VjEXAMPLETOKEN" {
		t.Fatalf("X-Amz-Security-Token = %q", got)
	}
}

func TestMissingCredential(t *testing.T) {
	p, call, _ := serve(t, jsonHandler(http.StatusOK, nil, fixture(t, "responses/max_tokens.json")))
	call.Credential = provider.Credential{AWSAccessKeyID: testAccessKey}
	if _, err := p.Complete(context.Background(), call); err == nil {
		t.Fatal("accepted a credential without a secret")
	}
}

func TestCompleteRejectsBadBodies(t *testing.T) {
	huge := `{"output":{"message":{"role":"assistant","content":[{"text":"` + strings.Repeat("a", MaxResponseSize) + `"}]}},"stopReason":"end_turn"}`
	cases := []struct {
		name, body, wantType string
	}{
		{"malformed", `{"output": {"message": `, "invalid_response"},
		{"no output", `{"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}`, "invalid_response"},
		{"too large", huge, "response_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, call, _ := serve(t, jsonHandler(http.StatusOK, nil, []byte(c.body)))
			_, err := p.Complete(context.Background(), call)
			pe, ok := provider.AsError(err)
			if !ok || pe.Type != c.wantType || pe.StatusCode != http.StatusOK || pe.Provider != Name {
				t.Fatalf("got %#v", err)
			}
		})
	}
}

func TestFinishReason(t *testing.T) {
	cases := map[types.StopReason]string{
		types.StopReasonEndTurn:                    chat.FinishStop,
		types.StopReasonStopSequence:               chat.FinishStop,
		types.StopReasonMaxTokens:                  chat.FinishLength,
		types.StopReasonModelContextWindowExceeded: chat.FinishLength,
		types.StopReasonToolUse:                    chat.FinishToolCalls,
		types.StopReasonGuardrailIntervened:        chat.FinishContentFilter,
		types.StopReasonContentFiltered:            chat.FinishContentFilter,
		types.StopReasonMalformedModelOutput:       chat.FinishStop,
	}
	for in, want := range cases {
		if got := finishReason(in); got != want {
			t.Errorf("finishReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUsage(t *testing.T) {
	cases := []struct {
		in   types.TokenUsage
		want chat.Usage
	}{
		{types.TokenUsage{InputTokens: aws.Int32(10), OutputTokens: aws.Int32(5), TotalTokens: aws.Int32(15)},
			chat.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15}},
		{types.TokenUsage{InputTokens: aws.Int32(10), OutputTokens: aws.Int32(5)},
			chat.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15}},
		{types.TokenUsage{InputTokens: aws.Int32(4), OutputTokens: aws.Int32(100), TotalTokens: aws.Int32(1208), CacheReadInputTokens: aws.Int32(1000), CacheWriteInputTokens: aws.Int32(104)},
			chat.Usage{PromptTokens: 1108, CompletionTokens: 100, TotalTokens: 1208, PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: 1000, CacheCreationTokens: 104}}},
	}
	for _, c := range cases {
		if got := usage(&c.in); !reflect.DeepEqual(*got, c.want) {
			t.Errorf("usage = %+v, want %+v", *got, c.want)
		}
	}
}
