package gateway_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// faultProxy stands between the gateway and the AWS endpoint. It passes
// everything through except DynamoDB transactions (the budget store's
// write), which it can refuse at the socket or hold past the deadline.
type faultProxy struct {
	mode atomic.Value // "", "drop" or "hang"
	srv  *httptest.Server
}

func newFaultProxy(t *testing.T) *faultProxy {
	target, _ := url.Parse(stack.Endpoint)
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &faultProxy{}
	p.mode.Store("")
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".TransactWriteItems") {
			switch p.mode.Load().(string) {
			case "drop":
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
				return
			case "hang":
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// TestFailsClosedWhenTheBudgetStoreFails: with the budget store stopped,
// unreachable or slower than the deadline, every request is refused with a
// Retry-After and the provider receives no call at all.
func TestFailsClosedWhenTheBudgetStoreFails(t *testing.T) {
	proxy := newFaultProxy(t)
	e := newEnv(t, withAWSEndpoint(proxy.srv.URL))
	warm := e.post(`{"model":"loop/mock-small","messages":[{"role":"user","content":"hi"}]}`)
	if warm.StatusCode != 200 {
		t.Fatalf("healthy store: status %d", warm.StatusCode)
	}
	warm.Body.Close()
	for _, mode := range []string{"drop", "hang"} {
		proxy.mode.Store(mode)
		before := upstreamCalls.Load()
		for _, stream := range []string{"false", "true"} {
			resp := e.post(`{"model":"loop/mock-small","stream":` + stream + `,"messages":[{"role":"user","content":"hi"}]}`)
			body := decodeErr(t, resp)
			if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || body.Error.Code != "budget_store_unavailable" {
				t.Fatalf("%s store, stream=%s: status %d code %q", mode, stream, resp.StatusCode, body.Error.Code)
			}
		}
		if got := upstreamCalls.Load() - before; got != 0 {
			t.Fatalf("%s store: upstream received %d calls", mode, got)
		}
	}
	// The whole AWS endpoint stopped: authentication cannot be checked either.
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := dead.Addr().String()
	dead.Close()
	e2 := newEnv(t)
	e3 := newEnv(t, withAWSEndpoint("http://"+addr))
	e3.token = e2.token
	before := upstreamCalls.Load()
	resp := e3.post(`{"model":"loop/mock-small","messages":[{"role":"user","content":"hi"}]}`)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || upstreamCalls.Load() != before {
		t.Fatalf("stopped store: status %d, upstream calls %d", resp.StatusCode, upstreamCalls.Load()-before)
	}
}
