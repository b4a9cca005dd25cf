package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/idempotency"
	"github.com/tollgate-dev/tollgate/shared/member"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

func doKey(t *testing.T, key, idem, method, path, body string) (int, string, bool) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set(idempotency.Header, idem)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header.Get("Idempotent-Replayed") == "true"
}

func TestIdempotencyKeys(t *testing.T) {
	a := newOrg(t, "Iota")
	owner, admin := a.keys[member.Owner], a.keys[member.Admin]
	create := `{"name":"retried","workspace":"` + a.Workspace + `","scopes":["inference"]}`

	st1, first, replayed := doKey(t, owner, "create-1", "POST", "/api/v1/tokens", create)
	if st1 != 201 || replayed {
		t.Fatalf("first: %d %s", st1, first)
	}
	st2, second, replayed := doKey(t, owner, "create-1", "POST", "/api/v1/tokens", create)
	if st2 != 201 || second != first || !replayed {
		t.Fatalf("retry: %d replayed=%v\n%s\n%s", st2, replayed, second, first)
	}
	_, list := do(t, owner, "GET", "/api/v1/tokens", "")
	if n := strings.Count(list, `"name":"retried"`); n != 1 {
		t.Fatalf("%d tokens made by two requests with one key", n)
	}
	// The stored answer holds the new key's secret: it is sealed, never in clear.
	if n := scanFor(t, field(t, first, "secret")); n != 0 {
		t.Fatalf("the secret is in %d table items", n)
	}
	if st, body, _ := doKey(t, owner, "create-1", "POST", "/api/v1/tokens", strings.Replace(create, "retried", "other", 1)); st != 422 ||
		code(body) != "idempotency_key_reused" {
		t.Fatalf("same key, other body: %d %s", st, body)
	}
	// Another caller's key of the same name is theirs alone.
	if st, body, replayed := doKey(t, admin, "create-1", "POST", "/api/v1/tokens", create); st != 201 || replayed || body == first {
		t.Fatalf("another caller, same key: %d replayed=%v", st, replayed)
	}
	// Errors are stored and replayed too.
	bad := `{"email":"x@iota.example","role":"emperor"}`
	st, e1, _ := doKey(t, owner, "member-1", "POST", "/api/v1/members", bad)
	st2, e2, replayed := doKey(t, owner, "member-1", "POST", "/api/v1/members", bad)
	if st != 400 || st2 != 400 || e1 != e2 || !replayed {
		t.Fatalf("error replay: %d %d %v", st, st2, replayed)
	}
	if st, body, _ := doKey(t, owner, "bad key with spaces", "POST", "/api/v1/workspaces", `{"name":"x"}`); st != 400 ||
		code(body) != "invalid_idempotency_key" {
		t.Fatalf("malformed key: %d %s", st, body)
	}
	// A request still running under the key: the retry is 409, nothing runs.
	store := idempotency.New(stack.TableName, secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN}), nil)
	scope := secrets.Scope{Org: a.Org, DynamoDB: a.sc.DynamoDB, KMS: a.sc.KMS}
	body := `{"name":"slow"}`
	fp := idempotency.Fingerprint("createWorkspace /api/v1/workspaces", []byte(body))
	if _, err := store.Begin(context.Background(), a.sc.DynamoDB, scope, a.TokenID+"/slow-1", fp); err != nil {
		t.Fatal(err)
	}
	if st, body, _ := doKey(t, owner, "slow-1", "POST", "/api/v1/workspaces", body); st != 409 || code(body) != "idempotency_key_in_progress" {
		t.Fatalf("in flight: %d %s", st, body)
	}
	_, ws := do(t, owner, "GET", "/api/v1/workspaces", "")
	if strings.Contains(ws, `"slow"`) {
		t.Fatal("the retry of a running request ran")
	}
}

// Keys are kept at least 24 hours: a replay a day later still gets the
// stored answer; after the 25-hour keep the key is free again.
func TestIdempotencyKeysAreKeptADay(t *testing.T) {
	a := newOrg(t, "Xi")
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	store := idempotency.New(stack.TableName, secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN}), clock)
	scope := secrets.Scope{Org: a.Org, DynamoDB: a.sc.DynamoDB, KMS: a.sc.KMS}
	ctx := context.Background()
	if r, err := store.Begin(ctx, a.sc.DynamoDB, scope, "tok/day", "fp"); r != nil || err != nil {
		t.Fatalf("first: %v %v", r, err)
	}
	if err := store.Finish(ctx, a.sc.DynamoDB, scope, "tok/day", idempotency.Response{Status: 201, Body: []byte(`{"ok":true}`)}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(24 * time.Hour)
	if r, err := store.Begin(ctx, a.sc.DynamoDB, scope, "tok/day", "fp"); err != nil || r == nil || r.Status != 201 {
		t.Fatalf("a day later: %+v %v", r, err)
	}
	now = now.Add(time.Hour + time.Second)
	if r, err := store.Begin(ctx, a.sc.DynamoDB, scope, "tok/day", "fp"); r != nil || err != nil {
		t.Fatalf("after the keep: %+v %v", r, err)
	}
}
