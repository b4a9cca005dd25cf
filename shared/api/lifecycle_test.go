package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/api"
	"github.com/tollgate-dev/tollgate/shared/gateway"
	"github.com/tollgate-dev/tollgate/shared/ingest"
	"github.com/tollgate-dev/tollgate/shared/logging"
	"github.com/tollgate-dev/tollgate/shared/orgsetup"
)

// lifecycle is one org with the management API and the gateway on the
// same local stack and the same movable clock, and a loopback
// OpenAI-compatible upstream that records the key it is called with.
type lifecycle struct {
	t        *testing.T
	now      time.Time
	mu       sync.Mutex
	apiURL   string
	gwURL    string
	org      orgsetup.Result
	seenKeys []string
	logs     bytes.Buffer // every server's log lines
	bodies   strings.Builder
	upstream string
	ingURL   string
	// upstreamError, when set, is the message the upstream refuses with.
	upstreamError string
}

func (l *lifecycle) clock() time.Time { l.mu.Lock(); defer l.mu.Unlock(); return l.now }
func (l *lifecycle) advance(d time.Duration) {
	l.mu.Lock()
	l.now = l.now.Add(d)
	l.mu.Unlock()
}

func newLifecycle(t *testing.T) *lifecycle {
	l := &lifecycle{t: t, now: time.Now().UTC()}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.seenKeys = append(l.seenKeys, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		refusal := l.upstreamError
		l.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if refusal != "" {
			w.WriteHeader(http.StatusUnauthorized)
			b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": refusal, "type": "invalid_request_error", "code": "invalid_api_key"}})
			w.Write(b)
			return
		}
		fmt.Fprint(w, `{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}`)
	}))
	t.Cleanup(up.Close)
	host := strings.TrimPrefix(up.URL, "http://")
	logger := logging.New(&syncWriter{l: l}, slog.LevelDebug) // the production logger, scrubber included

	cfg := serverConfig()
	cfg.Clock, cfg.Logger = l.clock, logger
	cfg.Auth = authWithClock(l.clock, 10*time.Second)
	cfg.Tokens = tokens(l.clock)
	cfg.CheckURL = outboundAllowing(host)
	h, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	apiSrv := httptest.NewServer(h)
	t.Cleanup(apiSrv.Close)

	gwCfg, err := stack.RoleConfig(context.Background(), "GatewayFunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.Assemble(gwCfg, gateway.Settings{Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN,
		KMSKeyARN: stack.KeyARN, AllowLoopback: []string{host}, RevocationDelay: 10 * time.Second,
		SettingsTTL: 5 * time.Second, HoldFor: 16 * time.Minute, Clock: l.clock}, logger)
	if err != nil {
		t.Fatal(err)
	}
	gwSrv := httptest.NewServer(gw)
	t.Cleanup(gwSrv.Close)
	ingCfg, err := stack.RoleConfig(context.Background(), "IngestFunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	ing, err := ingest.Assemble(ingCfg, ingest.Settings{Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN,
		KMSKeyARN: stack.KeyARN, Clock: l.clock}, logger)
	if err != nil {
		t.Fatal(err)
	}
	ingSrv := httptest.NewServer(ing)
	t.Cleanup(ingSrv.Close)
	l.apiURL, l.gwURL, l.ingURL = apiSrv.URL, gwSrv.URL, ingSrv.URL

	l.org, err = orgsetup.Bootstrap(context.Background(), stack.TableName, sessions, fnDB,
		tokens(l.clock),
		orgsetup.Spec{OrgName: "Lifecycle", OwnerEmail: "owner@lifecycle.example"}, l.clock())
	if err != nil {
		t.Fatal(err)
	}
	l.upstream = up.URL
	return l
}

type syncWriter struct{ l *lifecycle }

func (s *syncWriter) Write(p []byte) (int, error) {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	return s.l.logs.Write(p)
}

// call sends a request to base+path and records the answer for the leak checks.
func (l *lifecycle) call(base, key, method, path, body string) (int, string) {
	l.t.Helper()
	return l.callWith(base, key, method, path, body)
}

// callWith is call with extra header pairs.
func (l *lifecycle) callWith(base, key, method, path, body string, hdr ...string) (int, string) {
	l.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	l.mu.Lock()
	l.bodies.Write(b)
	l.mu.Unlock()
	return res.StatusCode, string(b)
}

func (l *lifecycle) chat(key string) (int, string) {
	return l.call(l.gwURL, key, "POST", "/v1/chat/completions", `{"model":"default","messages":[{"role":"user","content":"hello"}]}`)
}

func (l *lifecycle) lastUpstreamKey() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seenKeys) == 0 {
		return ""
	}
	return l.seenKeys[len(l.seenKeys)-1]
}

// expect calls and fails the test unless the status is want.
func (l *lifecycle) expect(want int, what, base, key, method, path, body string) string {
	l.t.Helper()
	status, out := l.call(base, key, method, path, body)
	if status != want {
		l.t.Fatalf("%s: %d %s\n%s", what, status, out, l.logs.String())
	}
	return out
}

func (l *lifecycle) expectChat(want int, what, key string) string {
	l.t.Helper()
	status, out := l.chat(key)
	if status != want {
		l.t.Fatalf("%s: %d %s", what, status, out)
	}
	return out
}

// TestTokenAndProviderKeyLifecycleWithTheGateway drives keys end to end:
// a provider key and an alias set through the API route the gateway; an
// API key created through the API calls it; rotation keeps the old secret
// only for its grace; revocation is refused within the stated 10 seconds;
// expiry is refused; a replaced provider key is the one the upstream sees
// after the settings cache (5 s); a deleted one stops the route. No
// provider key appears in any answer, log line or audit entry.
func TestTokenAndProviderKeyLifecycleWithTheGateway(t *testing.T) {
	l := newLifecycle(t)
	owner, ws := l.org.Token, "/api/v1/workspaces/"+l.org.Workspace
	const k1, k2 = "sk-proj-LIFECYCLEkeyONE0123456789abcdefABCDEF", "sk-proj-LIFECYCLEkeyTWO0123456789abcdefABCDEF"

	put := func(key string) string {
		return l.expect(200, "put key", l.apiURL, owner, "PUT", ws+"/keys/main",
			`{"kind":"openai","base_url":"`+l.upstream+`/v1","api_key":"`+key+`"}`)
	}
	if body := put(k1); !strings.Contains(body, `"last4":"`+k1[len(k1)-4:]+`"`) || !strings.Contains(body, `"fingerprint":"`) {
		t.Fatalf("masked view: %s", body)
	}
	l.expect(200, "alias", l.apiURL, owner, "PUT", ws+"/aliases/default", `{"targets":["main/gpt-4o-mini"]}`)

	created := l.expect(201, "create token", l.apiURL, owner, "POST", "/api/v1/tokens",
		`{"name":"svc","workspace":"`+l.org.Workspace+`","scopes":["inference"]}`)
	t1, id := field(t, created, "secret"), field(t, created, "id")
	l.expectChat(200, "new token on the gateway", t1)
	if got := l.lastUpstreamKey(); got != k1 {
		t.Fatalf("upstream saw %q, want the stored key", got)
	}
	// Settlement (and with it the last use) completes after the answer is
	// sent; wait for it, bounded.
	want := `"last_used":"` + l.clock().Format(time.RFC3339)
	for i := 0; ; i++ {
		listed := l.expect(200, "list tokens", l.apiURL, owner, "GET", "/api/v1/tokens", "")
		if strings.Contains(listed, want) {
			break
		}
		if i == 100 {
			t.Fatalf("the gateway call is not the token's last use: %s", listed)
		}
		time.Sleep(20 * time.Millisecond)
	}

	rotated := l.expect(200, "rotate", l.apiURL, owner, "POST", "/api/v1/tokens/"+id+"/rotate", `{"grace_seconds":60}`)
	t2 := field(t, rotated, "secret")
	l.expectChat(200, "rotated secret", t2)
	l.advance(50 * time.Second)
	l.expectChat(200, "old secret within its grace", t1)
	l.advance(21 * time.Second) // 71 s: past the grace and past the 10 s lookup cache
	if st, body := l.chat(t1); st != 401 {
		t.Fatalf("old secret after its grace: %d %s", st, body)
	}
	l.expectChat(200, "new secret after the grace", t2)

	l.expect(204, "revoke", l.apiURL, owner, "DELETE", "/api/v1/tokens/"+id, "")
	l.advance(10 * time.Second) // the stated revocation bound
	if st, body := l.chat(t2); st != 401 {
		t.Fatalf("revoked secret after 10 s: %d %s", st, body)
	}

	short := l.expect(201, "create 1-day token", l.apiURL, owner, "POST", "/api/v1/tokens",
		`{"name":"day","workspace":"`+l.org.Workspace+`","scopes":["inference"],"expires_in_days":1}`)
	t3 := field(t, short, "secret")
	l.expectChat(200, "1-day token", t3)
	l.advance(24*time.Hour + time.Second)
	if st, body := l.chat(t3); st != 401 || code(body) != "expired_api_key" {
		t.Fatalf("expired token: %d %s", st, body)
	}

	// Replace the provider key: after the settings cache, the upstream sees the new one.
	put(k2)
	l.advance(6 * time.Second)
	t4 := field(t, l.expect(201, "token", l.apiURL, owner, "POST", "/api/v1/tokens",
		`{"name":"after","workspace":"`+l.org.Workspace+`","scopes":["inference"]}`), "secret")
	l.expectChat(200, "call after replacing the key", t4)
	if got := l.lastUpstreamKey(); got != k2 {
		t.Fatalf("upstream saw %q after the replacement", got)
	}
	listed := l.expect(200, "list keys", l.apiURL, owner, "GET", ws+"/keys", "")
	if !strings.Contains(listed, `"last4":"`+k2[len(k2)-4:]+`"`) {
		t.Fatalf("listing: %s", listed)
	}
	l.expect(204, "delete key", l.apiURL, owner, "DELETE", ws+"/keys/main", "")
	l.advance(6 * time.Second)
	if st, body := l.chat(t4); st < 400 {
		t.Fatalf("a deleted key still routes: %d %s", st, body)
	}

	audit := l.expect(200, "audit export", l.apiURL, owner, "GET", "/api/v1/audit/export?format=jsonl", "")
	for _, want := range []string{"key.put", "key.delete", "token.create", "token.rotate", "token.revoke", "alias.put"} {
		if !strings.Contains(audit, want) {
			t.Fatalf("audit lacks %s", want)
		}
	}
	l.mu.Lock()
	seen := l.bodies.String() + l.logs.String()
	l.mu.Unlock()
	for _, secret := range []string{k1, k2, k1[:20], k2[:20]} {
		if strings.Contains(seen, secret) {
			t.Fatalf("a provider key leaked into an answer, a log line or the audit log")
		}
	}
	for _, secret := range []string{t1, t2, t3, t4} {
		if strings.Contains(l.logs.String(), secret) {
			t.Fatal("an API key reached a log line")
		}
	}
}
