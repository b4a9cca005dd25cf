package main_test

import (
	"bufio"
	"bytes"
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
	"github.com/tollgate-dev/tollgate/shared/trace"
)

var (
	stack     *localstack.Stack
	bootstrap string // the real ingest binary, built as `make build` builds it (host architecture)
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "ingest-bootstrap-test"}, func(s *localstack.Stack) error {
		stack = s
		var err error
		bootstrap, err = lambdaruntime.Build(".")
		return err
	})
}

// TestBootstrapIngestsThroughTheRuntimeAPI runs the real ingest bootstrap
// with its own role's credentials against a loopback Lambda Runtime API and
// the local stack, invokes it with an API Gateway REST event carrying a
// batch, and finds the event stored in the demo org.
func TestBootstrapIngestsThroughTheRuntimeAPI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := demo.Seed(ctx, stack)
	must(t, err)
	env, err := stack.FunctionEnv(ctx, "ingest", "IngestFunctionRole")
	must(t, err)
	rt, err := lambdaruntime.Run(bootstrap, env)
	must(t, err)
	defer rt.Kill()
	logs := rt.Logs

	at := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	cases := []struct {
		name, token string
		status      int
		want        string
	}{
		{"accepted", d.Token, 200, `"accepted":1`},
		{"replayed", d.Token, 200, `"duplicates":1`},
		{"unknown key", "tgk_" + strings.Repeat("A", 40), 401, `"code":"invalid_api_key"`},
	}
	for _, c := range cases {
		status, body := invoke(t, ctx, rt, c.token, at)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Fatalf("%s: status %d body %s\n%s", c.name, status, body, logs.String())
		}
	}
	sessions, err := stack.TenantSessions(ctx, "IngestFunctionRole")
	must(t, err)
	sc, err := sessions.For(ctx, d.Org)
	must(t, err)
	listed, _, err := trace.NewStore(stack.TableName, nil).List(ctx, sc.DynamoDB, d.Org,
		trace.Query{From: at.Add(-time.Minute), To: at.Add(time.Minute)})
	must(t, err)
	if len(listed) != 1 || listed[0].ID != "evt-0001" || listed[0].Feature != "support-reply" || listed[0].CostNano == 0 {
		t.Fatalf("listed %+v", listed)
	}
	if strings.Contains(logs.String(), d.Token) {
		t.Fatal("the key reached the function's logs")
	}
}

// invoke sends the REST proxy event of testdata with token and the event's
// time set, and returns the status and body of the HTTP-integration stream.
func invoke(t *testing.T, ctx context.Context, rt *lambdaruntime.Function, token string, at time.Time) (int, string) {
	t.Helper()
	raw, err := os.ReadFile("testdata/ingest-batch.json")
	must(t, err)
	var ev map[string]any
	must(t, json.Unmarshal(raw, &ev))
	ev["body"] = strings.Replace(ev["body"].(string), "2026-11-23T16:42:20Z", at.Format(time.RFC3339), 1)
	ev["headers"].(map[string]any)["Authorization"] = "Bearer " + token
	ev["multiValueHeaders"].(map[string]any)["Authorization"] = []any{"Bearer " + token}
	payload, err := json.Marshal(ev)
	must(t, err)
	inv, err := rt.Invoke(ctx, payload)
	must(t, err)
	r := bufio.NewReader(inv.Body)
	prelude, err := r.ReadBytes(0)
	must(t, err)
	var meta struct {
		StatusCode int `json:"statusCode"`
	}
	must(t, json.Unmarshal(prelude[:len(prelude)-1], &meta))
	rest, err := io.ReadAll(r)
	must(t, err)
	must(t, inv.Err())
	return meta.StatusCode, string(bytes.TrimLeft(rest, "\x00"))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
