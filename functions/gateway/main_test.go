package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/lambdaruntime"
	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

var (
	stack     *localstack.Stack
	bootstrap string // the real gateway binary, built as `make build` builds it (host architecture)
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "bootstrap-test"}, func(s *localstack.Stack) error {
		stack = s
		var err error
		bootstrap, err = lambdaruntime.Build(".")
		return err
	})
}

// gatedUpstream is an OpenAI-compatible upstream that sends each SSE chunk
// only when the test allows it, so the test can prove every chunk crossed
// the Lambda streaming path before the next one existed.
type gatedUpstream struct {
	srv  *httptest.Server
	step chan struct{}
}

func newGatedUpstream(t *testing.T, key string, chunks []string) *gatedUpstream {
	g := &gatedUpstream{step: make(chan struct{})}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+key {
			http.Error(w, `{"error":{"message":"bad key","type":"invalid_request_error"}}`, 401)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		for i, c := range chunks {
			if i > 0 {
				select {
				case <-g.step:
				case <-r.Context().Done():
					return
				}
			}
			fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":%q},\"finish_reason\":null}]}\n\n", c)
			fl.Flush()
		}
		fmt.Fprint(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\ndata: [DONE]\n\n")
		fl.Flush()
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// TestBootstrapStreamsThroughTheRuntimeAPI runs the real gateway bootstrap
// against a loopback Lambda Runtime API, the local stack and a gated
// upstream, and reads the HTTP-integration stream it posts: the JSON
// prelude, the 8-NUL delimiter, then each SSE chunk — each one read before
// the upstream is allowed to produce the next.
func TestBootstrapStreamsThroughTheRuntimeAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := demo.Seed(ctx, stack)
	must(t, err)
	const providerKey = "sk-proj-GATEDUPSTREAMa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8"
	chunks := []string{"one ", "two ", "three"}
	up := newGatedUpstream(t, providerKey, chunks)
	connectUpstream(t, ctx, d, up.srv.URL, providerKey)

	rt := startFunction(t, ctx, up.srv.URL)
	defer rt.Kill()
	stderr := rt.Logs

	inv, err := rt.Invoke(ctx, event(t, d.Token, `{"model":"gated/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"count"}]}`))
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, stderr.String())
	}
	if inv.ContentType != "application/vnd.awslambda.http-integration-response" {
		t.Fatalf("content type %q", inv.ContentType)
	}
	r := bufio.NewReader(inv.Body)
	prelude, err := r.ReadBytes(0)
	must(t, err)
	var meta struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
	}
	must(t, json.Unmarshal(prelude[:len(prelude)-1], &meta))
	if meta.StatusCode != 200 || !strings.HasPrefix(meta.Headers["content-type"], "text/event-stream") {
		t.Fatalf("prelude %+v\n%s", meta, stderr.String())
	}
	nuls := make([]byte, 7)
	_, err = io.ReadFull(r, nuls)
	must(t, err)
	if !bytes.Equal(nuls, make([]byte, 7)) {
		t.Fatalf("delimiter is not 8 NUL bytes: %q", nuls)
	}
	for i, want := range chunks {
		ev := readEvent(t, r)
		if !strings.Contains(ev, fmt.Sprintf("%q", want)) {
			t.Fatalf("chunk %d: %s", i, ev)
		}
		if i < len(chunks)-1 {
			up.step <- struct{}{} // only now may the upstream produce the next chunk
		}
	}
	rest, err := io.ReadAll(r)
	must(t, err)
	if !strings.HasSuffix(string(rest), "data: [DONE]\n\n") {
		t.Fatalf("stream did not end with [DONE]: %q", rest)
	}
	if err := inv.Err(); err != nil {
		t.Fatalf("function error: %v", err)
	}
	if strings.Contains(stderr.String(), providerKey) || strings.Contains(stderr.String(), d.Token) {
		t.Fatal("a secret reached the function's logs")
	}
}

// startFunction runs the gateway bootstrap as Lambda would, with the
// gateway role's credentials, against a fresh loopback Runtime API.
func startFunction(t *testing.T, ctx context.Context, upstreamURL string) *lambdaruntime.Function {
	t.Helper()
	env, err := stack.FunctionEnv(ctx, "gateway", "GatewayFunctionRole")
	must(t, err)
	u, _ := url.Parse(upstreamURL)
	fn, err := lambdaruntime.Run(bootstrap, append(env, "TOLLGATE_ALLOW_LOOPBACK="+u.Host))
	must(t, err)
	return fn
}

func readEvent(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	var ev strings.Builder
	for {
		line, err := r.ReadString('\n')
		must(t, err)
		if line == "\n" {
			return ev.String()
		}
		ev.WriteString(line)
	}
}

// event is the API Gateway REST proxy event of events/, with the demo key and body.
func event(t *testing.T, token, body string) []byte {
	raw, err := os.ReadFile("../../events/gateway-chat-stream.json")
	must(t, err)
	var ev map[string]any
	must(t, json.Unmarshal(raw, &ev))
	ev["body"] = body
	ev["headers"].(map[string]any)["Authorization"] = "Bearer " + token
	ev["multiValueHeaders"].(map[string]any)["Authorization"] = []any{"Bearer " + token}
	out, err := json.Marshal(ev)
	must(t, err)
	return out
}

func connectUpstream(t *testing.T, ctx context.Context, d demo.Demo, base, key string) {
	sessions, err := stack.TenantSessions(ctx, "GatewayFunctionRole")
	must(t, err)
	sc, err := sessions.For(ctx, d.Org)
	must(t, err)
	sealed, err := secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN}).Seal(ctx,
		secrets.Scope{Org: d.Org, DynamoDB: sc.DynamoDB, KMS: sc.KMS},
		workspace.PurposeProviderKey, workspace.KeyRecord(d.Workspace, "gated"), []byte(key))
	must(t, err)
	must(t, workspace.NewStore(workspace.Config{Table: stack.TableName}).PutConnection(ctx, sc.DynamoDB, d.Org, d.Workspace,
		workspace.Connection{Name: "gated", Kind: workspace.KindOpenAI, BaseURL: base + "/v1", SealedKey: sealed}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
