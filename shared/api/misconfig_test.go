package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/api"
	"github.com/tollgate-dev/tollgate/shared/member"
)

// The API is for servers and CLIs, not browsers: it grants no cross-origin
// access, and a preflight gets no CORS headers.
func TestNoCrossOriginAccess(t *testing.T) {
	a := newOrg(t, "Lambda")
	for _, method := range []string{"OPTIONS", "GET"} {
		req, _ := http.NewRequest(method, srv.URL+"/api/v1/members", nil)
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Access-Control-Request-Method", "DELETE")
		req.Header.Set("Authorization", "Bearer "+a.keys[member.Owner])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for h := range res.Header {
			if strings.HasPrefix(strings.ToLower(h), "access-control-") {
				t.Fatalf("%s answered with %s", method, h)
			}
		}
	}
}

// The Host header decides nothing: a request naming another host is
// served as the token's org, and the host is never echoed.
func TestHostHeaderDecidesNothing(t *testing.T) {
	a := newOrg(t, "Mu")
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
	req.Host = "org-other.internal.example"
	req.Header.Set("X-Forwarded-Host", "admin.internal.example")
	req.Header.Set("Authorization", "Bearer "+a.keys[member.Viewer])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), a.Org) || strings.Contains(string(body), "internal.example") {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	// Path confusion: encoded separators and dot segments do not reach another route.
	for _, p := range []string{"/api/v1/members/..%2f..%2fworkspaces", "/api/v1/./members/../tokens", "/api//v1/members"} {
		req, _ := http.NewRequest("DELETE", srv.URL+p, nil)
		req.Header.Set("Authorization", "Bearer "+a.keys[member.Owner])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode < 300 {
			t.Fatalf("%s reached a handler: %d", p, res.StatusCode)
		}
	}
}

// A handler bug that panics answers 500 with a stable code and nothing of
// the panic; the server keeps serving.
func TestPanicIsA500WithNothingInIt(t *testing.T) {
	a := newOrg(t, "Nu")
	cfg := serverConfig()
	cfg.Budget = nil // a wiring bug: the budgets route dereferences it
	h, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	buggy := httptest.NewServer(h)
	defer buggy.Close()
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest("GET", buggy.URL+"/api/v1/budgets", nil)
		req.Header.Set("Authorization", "Bearer "+a.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 500 || code(string(body)) != "internal_error" || strings.Contains(string(body), "nil") ||
			strings.Contains(string(body), "goroutine") {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	}
}
