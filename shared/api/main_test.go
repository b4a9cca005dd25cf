package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/api"
	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/drift"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/idempotency"
	"github.com/tollgate-dev/tollgate/shared/member"
	"github.com/tollgate-dev/tollgate/shared/orgsetup"
	"github.com/tollgate-dev/tollgate/shared/outbound"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

var (
	stack    *localstack.Stack
	fnDB     *dynamodb.Client // the API function's own role
	fnSQS    *sqs.Client      // the same role's queue client
	sessions *tenant.Sessions // TenantRole sessions as the API function makes them
	srv      *httptest.Server
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "api-test"}, func(s *localstack.Stack) error {
		stack = s
		ctx := context.Background()
		cfg, err := s.RoleConfig(ctx, "ApiFunctionRole")
		if err != nil {
			return err
		}
		fnDB, fnSQS = dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
		if sessions, err = s.TenantSessions(ctx, "ApiFunctionRole"); err != nil {
			return err
		}
		h, err := api.New(serverConfig())
		if err != nil {
			return err
		}
		srv = httptest.NewServer(h)
		return nil
	})
}

// serverConfig is the server as functions/api assembles it, with a token
// cache short enough that a revocation shows at once.
func serverConfig() api.Config {
	sealer := secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN})
	workspaces := workspace.NewStore(workspace.Config{Table: stack.TableName})
	recs := recommend.NewStore(stack.TableName, nil)
	return api.Config{
		Table:       stack.TableName,
		Auth:        auth.New(auth.Config{Table: stack.TableName, DB: fnDB, CacheTTL: time.Nanosecond, Timeout: 20 * time.Second}),
		Tenants:     sessions,
		Members:     member.NewStore(stack.TableName, nil),
		Workspaces:  workspaces,
		Tokens:      tokens(),
		Datasets:    dataset.NewStore(dataset.Config{Table: stack.TableName}),
		Lookups:     fnDB,
		Audit:       audit.New(audit.Config{Table: stack.TableName}),
		Secrets:     sealer,
		Idempotency: idempotency.New(stack.TableName, sealer, nil),
		Budget:      budget.New(budget.Config{Table: stack.TableName}),
		CheckURL:    outbound.New(outbound.Config{}).CheckURL,
		Evals: &api.EvalConfig{
			Runs: evalrun.New(stack.TableName, nil),
			Sources: evalwork.Sources{Datasets: dataset.NewStore(dataset.Config{Table: stack.TableName}),
				Shadow: shadow.NewStore(stack.TableName, nil)},
			Queue: fnSQS, QueueURL: stack.EvalQueueURL, MockEnabled: true,
			Recommendations: recs,
			Actions:         &recommend.Actions{Store: recs, Aliases: workspaces},
			Drift:           drift.NewStore(stack.TableName, nil),
		},
	}
}

// org is a bootstrapped organization with a key per role.
type org struct {
	orgsetup.Result
	sc   *tenant.Scoped
	keys map[member.Role]string // a read+admin key acting for a member of that role
	ids  map[member.Role]string // member IDs
}

func newOrg(t *testing.T, name string) *org {
	t.Helper()
	ctx := context.Background()
	r, err := orgsetup.Bootstrap(ctx, stack.TableName, sessions, fnDB, tokens(),
		orgsetup.Spec{OrgName: name, OwnerEmail: "owner@" + strings.ToLower(name) + ".example"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := sessions.For(ctx, r.Org)
	if err != nil {
		t.Fatal(err)
	}
	o := &org{Result: r, sc: sc, keys: map[member.Role]string{member.Owner: r.Token}, ids: map[member.Role]string{member.Owner: r.Member}}
	for _, role := range []member.Role{member.Admin, member.Developer, member.Viewer} {
		m, err := member.NewStore(stack.TableName, nil).Add(ctx, sc.DynamoDB, r.Org,
			member.Member{Email: string(role) + "@" + strings.ToLower(name) + ".example", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		o.ids[role] = m.ID
		o.keys[role] = o.key(t, m.ID, []string{auth.ScopeRead, auth.ScopeAdmin}, 0, time.Now())
	}
	return o
}

// key makes a key for member with scopes, created at `at` for ttl (0: default).
func (o *org) key(t *testing.T, memberID string, scopes []string, ttl time.Duration, at time.Time) string {
	t.Helper()
	secret, _ := o.keyAndID(t, memberID, scopes, ttl, at)
	return secret
}

func (o *org) keyAndID(t *testing.T, memberID string, scopes []string, ttl time.Duration, at time.Time) (string, string) {
	t.Helper()
	secret, tok, err := tokens(func() time.Time { return at }).Create(
		context.Background(), o.sc.DynamoDB, fnDB, o.Org,
		token.Spec{Name: "test", Workspace: o.Workspace, Member: memberID, Scopes: scopes, ExpiresIn: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return secret, tok.ID
}

// do calls the API and returns the status and body.
func do(t *testing.T, key, method, path, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// code is the error code of an error body.
func code(body string) string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal([]byte(body), &e)
	return e.Error.Code
}

func field(t *testing.T, body, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	s, _ := m[name].(string)
	return s
}

func authWithClock(clock func() time.Time, ttl time.Duration) *auth.Authenticator {
	return auth.New(auth.Config{Table: stack.TableName, DB: fnDB, CacheTTL: ttl, Clock: clock, Timeout: 20 * time.Second})
}

// outboundAllowing is the API's base-URL check with one loopback upstream allowed.
func outboundAllowing(host string) func(*url.URL) error {
	return outbound.New(outbound.Config{AllowLoopback: []string{host}}).CheckURL
}

// tokens is the token manager tests use: its per-call timeout is generous,
// because CI runs every package's emulators at once on two cores and a
// deadline there is noise, not a finding.
func tokens(clock ...func() time.Time) *token.Manager {
	cfg := token.Config{Table: stack.TableName, Timeout: 20 * time.Second}
	if len(clock) > 0 {
		cfg.Clock = clock[0]
	}
	return token.New(cfg)
}
