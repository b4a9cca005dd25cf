package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/ingest"
	"github.com/tollgate-dev/tollgate/shared/logging"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions
	// logs captures every line the handlers under test write.
	logs syncBuffer
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "ingest-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		sessions, err = s.TenantSessions(context.Background(), "IngestFunctionRole")
		return err
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one ingest handler, served over loopback HTTP, for one fresh org
// and workspace, running with IngestFunctionRole's template policies.
type env struct {
	t        testing.TB
	srv      *httptest.Server
	org, ws  string
	token    string
	scoped   *tenant.Scoped
	traces   *trace.Store
	settings workspace.Settings
}

type option func(*env)

func withSettings(st workspace.Settings) option { return func(e *env) { e.settings = st } }

func newEnv(t testing.TB, opts ...option) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, org: id.New(id.Org), ws: id.New(id.Workspace), token: auth.NewToken(),
		settings: workspace.Settings{Name: "test"}, traces: trace.NewStore(stack.TableName, nil)}
	for _, o := range opts {
		o(e)
	}
	fn, err := stack.RoleConfig(ctx, "IngestFunctionRole")
	must(t, err)
	h, err := ingest.Assemble(fn, ingest.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
		RevocationDelay: time.Second, SettingsTTL: time.Nanosecond,
	}, logging.New(&logs, -8))
	must(t, err)
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)

	e.scoped, err = sessions.For(ctx, e.org)
	must(t, err)
	store := workspace.NewStore(workspace.Config{Table: stack.TableName})
	must(t, store.PutOrg(ctx, e.scoped.DynamoDB, e.org, workspace.Org{Name: "org"}))
	must(t, store.PutSettings(ctx, e.scoped.DynamoDB, e.org, e.ws, e.settings))
	e.issueToken(e.token, []string{auth.ScopeIngest})
	return e
}

// issueToken writes a token lookup item for the env's workspace, as the
// management API does.
func (e *env) issueToken(token string, scopes []string) {
	e.t.Helper()
	op := dynamodb.NewFromConfig(stack.OperatorConfig())
	_, err := op.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(stack.TableName),
		Item: auth.LookupItem(auth.Hash(token), auth.Principal{Org: e.org, Workspace: e.ws, TokenID: id.New(id.Token), Scopes: scopes},
			time.Now().Add(time.Hour))})
	must(e.t, err)
}

// post sends body to path with the env's token; hdr are header pairs, an
// empty value deleting the header.
func (e *env) post(path string, body io.Reader, hdr ...string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, body)
	must(e.t, err)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	must(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(e.t, err)
	return resp.StatusCode, b
}

// batch posts events to /v1/traces and decodes the 200 answer.
func (e *env) batch(events ...any) ingest.Response {
	e.t.Helper()
	b, err := json.Marshal(map[string]any{"events": events})
	must(e.t, err)
	status, body := e.post("/v1/traces", bytes.NewReader(b))
	if status != http.StatusOK {
		e.t.Fatalf("status %d: %s", status, body)
	}
	var resp ingest.Response
	must(e.t, json.Unmarshal(body, &resp))
	return resp
}

// list returns every trace of the env's org in [from, to), paging through.
func (e *env) list(from, to time.Time) []trace.Trace {
	e.t.Helper()
	var all []trace.Trace
	cursor := ""
	for {
		page, next, err := e.traces.List(context.Background(), e.scoped.DynamoDB, e.org,
			trace.Query{From: from, To: to, Limit: 1000, Cursor: cursor})
		must(e.t, err)
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

// byID indexes traces by ID, failing on a repeated one.
func byID(t testing.TB, traces []trace.Trace) map[string]trace.Trace {
	t.Helper()
	m := make(map[string]trace.Trace, len(traces))
	for _, tr := range traces {
		if _, dup := m[tr.ID]; dup {
			t.Fatalf("trace %s listed twice", tr.ID)
		}
		m[tr.ID] = tr
	}
	return m
}

// ev is a valid event; fields override or (with nil) remove its fields.
func ev(id string, at time.Time, fields ...any) map[string]any {
	m := map[string]any{
		"id": id, "time": at.UTC().Format(time.RFC3339Nano), "provider": "openai", "model": "gpt-4o-mini",
		"tokens_in": 100, "tokens_out": 20, "latency_ms": 300,
	}
	for i := 0; i+1 < len(fields); i += 2 {
		k := fields[i].(string)
		if fields[i+1] == nil {
			delete(m, k)
		} else {
			m[k] = fields[i+1]
		}
	}
	return m
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// scanTable returns every item of the table as JSON text, bypassing the
// enforcing endpoint: what an attacker with the table would see.
func scanTable(t testing.TB) []string {
	t.Helper()
	db := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig())
	var out []string
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(stack.TableName)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		must(t, err)
		for _, it := range page.Items {
			b, err := json.Marshal(it)
			must(t, err)
			out = append(out, string(b))
		}
	}
	return out
}

func containsAny(items []string, s string) bool {
	for _, it := range items {
		if strings.Contains(it, s) {
			return true
		}
	}
	return false
}
