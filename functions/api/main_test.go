package main_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/lambdaruntime"
	"github.com/tollgate-dev/tollgate/infra/localstack"
)

var (
	stack     *localstack.Stack
	bootstrap string // the real api binary, built as `make build` builds it (host architecture)
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "api-bootstrap-test"}, func(s *localstack.Stack) error {
		stack = s
		var err error
		bootstrap, err = lambdaruntime.Build(".")
		return err
	})
}

// TestBootstrapServesTheRESTProxyEvent runs the real api bootstrap with
// its own role's credentials against a loopback Lambda Runtime API and
// invokes it with the REST proxy events of events/: a member is added, and
// the audit log names the change with the client's forwarded address.
func TestBootstrapServesTheRESTProxyEvent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := demo.Seed(ctx, stack)
	must(t, err)
	env, err := stack.FunctionEnv(ctx, "api", "ApiFunctionRole")
	must(t, err)
	fn, err := lambdaruntime.Run(bootstrap, env)
	must(t, err)
	defer fn.Kill()

	status, body := invoke(t, ctx, fn, d.Token, "POST", "/api/v1/members", `{"email":"ada@demo.example","name":"Ada","role":"developer"}`)
	if status != 201 || !strings.Contains(body, `"role":"developer"`) {
		t.Fatalf("add member: %d %s\n%s", status, body, fn.Logs.String())
	}
	status, body = invoke(t, ctx, fn, d.Token, "GET", "/api/v1/audit", "")
	if status != 200 || !strings.Contains(body, `"action":"member.add"`) || !strings.Contains(body, `"source_ip":"198.51.100.23"`) {
		t.Fatalf("audit: %d %s", status, body)
	}
	status, body = invoke(t, ctx, fn, "tgk_"+strings.Repeat("A", 40), "GET", "/api/v1/me", "")
	if status != 401 || !strings.Contains(body, `"code":"invalid_api_key"`) {
		t.Fatalf("unknown key: %d %s", status, body)
	}
	if strings.Contains(fn.Logs.String(), d.Token) {
		t.Fatal("the key reached the function's logs")
	}
}

// invoke sends the event of events/ with method, path, body and key, and
// returns the proxy response's status and body.
func invoke(t *testing.T, ctx context.Context, fn *lambdaruntime.Function, key, method, path, body string) (int, string) {
	t.Helper()
	raw, err := os.ReadFile("../../events/api-add-member.json")
	must(t, err)
	var ev map[string]any
	must(t, json.Unmarshal(raw, &ev))
	ev["httpMethod"], ev["path"], ev["resource"], ev["body"] = method, path, path, body
	ev["headers"].(map[string]any)["Authorization"] = "Bearer " + key
	ev["multiValueHeaders"].(map[string]any)["Authorization"] = []any{"Bearer " + key}
	payload, err := json.Marshal(ev)
	must(t, err)
	inv, err := fn.Invoke(ctx, payload)
	must(t, err)
	out, err := io.ReadAll(inv.Body)
	must(t, err)
	must(t, inv.Err())
	var res struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	must(t, json.Unmarshal(out, &res))
	return res.StatusCode, res.Body
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
