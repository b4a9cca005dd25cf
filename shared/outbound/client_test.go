package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// TestRedirectIsAnError answers 302 to instance metadata from an allowed
// loopback server: the client must return a typed error and never dial the
// Location, through Do and through HTTPClient alike.
func TestRedirectIsAnError(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		srv := newCountedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/iam/security-credentials/", status)
		}))
		c := New(Config{AllowLoopback: []string{srv.hostPort(), "169.254.169.254:80"}})
		dials := watchDials(c)
		t.Run(http.StatusText(status)+"/Do", func(t *testing.T) {
			resp, err := get(t, c, srv.URL+"/v1/chat/completions")
			if resp != nil {
				t.Fatalf("got a response (%d), want none", resp.StatusCode)
			}
			assertRefused(t, err, apperr.UpstreamFailed, CodeUpstreamRedirect, "169.254", "meta-data", srv.port())
		})
		t.Run(http.StatusText(status)+"/HTTPClient", func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v1", strings.NewReader("{}"))
			resp, err := c.HTTPClient().Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatal("HTTPClient followed or returned a redirect without error")
			}
			assertRefused(t, err, apperr.UpstreamFailed, CodeUpstreamRedirect)
		})
		for _, a := range dials.list() {
			if a != srv.hostPort() {
				t.Fatalf("dialled %s; only %s was allowed", a, srv.hostPort())
			}
		}
	}
}

// TestAllowLoopback shows an AllowLoopback entry opens exactly one loopback
// host:port, over http, and nothing else on loopback.
func TestAllowLoopback(t *testing.T) {
	allowed := newCountedServer(t, okHandler())
	other := newCountedServer(t, okHandler())
	res := newResolver(map[string][][]string{
		"mock.test":    {{"127.0.0.1"}},
		"private.test": {{"10.0.0.8"}},
		"public.test":  {{"93.184.215.14"}},
	})
	c := New(Config{
		AllowLoopback: []string{
			allowed.hostPort(),
			"mock.test:" + allowed.port(),
			"private.test:" + allowed.port(),
			"public.test:" + allowed.port(),
		},
		Resolver: res,
	})
	dials := watchDials(c)
	tests := []struct {
		name string
		url  string
		kind apperr.Kind
		code string // "" when the request must succeed
	}{
		{"listed literal", "http://" + allowed.hostPort() + "/v1", 0, ""},
		{"listed name", "http://mock.test:" + allowed.port() + "/v1", 0, ""},
		{"other loopback port over http", "http://" + other.hostPort() + "/v1", apperr.Invalid, CodeInvalidURL},
		{"other loopback port over https", "https://" + other.hostPort() + "/v1", apperr.Forbidden, CodeDestinationBlocked},
		{"other port via listed name", "https://mock.test:" + other.port() + "/v1", apperr.Forbidden, CodeDestinationBlocked},
		{"listed name resolving private", "http://private.test:" + allowed.port() + "/v1", apperr.Forbidden, CodeDestinationBlocked},
		{"listed name resolving public", "http://public.test:" + allowed.port() + "/v1", apperr.Forbidden, CodeDestinationBlocked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := get(t, c, tt.url)
			if tt.code != "" {
				assertRefused(t, err, tt.kind, tt.code, other.port(), allowed.port(), "127.0.0.1", ".test")
				return
			}
			if err != nil {
				t.Fatalf("GET %s: %v", tt.url, err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(body) != "ok" {
				t.Fatalf("GET %s = %d %q", tt.url, resp.StatusCode, body)
			}
		})
	}
	if n := other.conns.Load(); n != 0 {
		t.Fatalf("unlisted loopback server accepted %d connections", n)
	}
	for _, a := range dials.list() {
		if a != allowed.hostPort() {
			t.Fatalf("dialled %s; only %s was allowed", a, allowed.hostPort())
		}
	}
}

// TestRuntimeAPINeverReachable lists the Runtime API address in
// AllowLoopback, literally and by name: it must stay unreachable.
func TestRuntimeAPINeverReachable(t *testing.T) {
	runtime := newCountedServer(t, okHandler())
	res := newResolver(map[string][][]string{
		"runtime.test": {{"127.0.0.1"}},
		"lambda.test":  {{"127.0.0.1"}},
	})
	c := New(Config{
		AllowLoopback: []string{runtime.hostPort(), "runtime.test:" + runtime.port(), "127.0.0.1:9001", "lambda.test:9001"},
		RuntimeAPI:    runtime.hostPort(),
		Resolver:      res,
	})
	dials := watchDials(c)
	for _, u := range []string{
		"http://" + runtime.hostPort() + "/2018-06-01/runtime/invocation/next",
		"http://runtime.test:" + runtime.port() + "/2018-06-01/runtime/invocation/next",
		"http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
		"http://lambda.test:9001/2018-06-01/runtime/invocation/next",
	} {
		t.Run(u, func(t *testing.T) {
			_, err := get(t, c, u)
			assertRefused(t, err, apperr.Forbidden, CodeDestinationBlocked, runtime.port(), "9001", "127.0.0.1", ".test")
		})
	}
	if n := runtime.conns.Load(); n != 0 {
		t.Fatalf("runtime API accepted %d connections", n)
	}
	if got := dials.list(); len(got) != 0 {
		t.Fatalf("dialled %v", got)
	}
}

// TestIgnoresProxyEnvironment sets every proxy variable to a live proxy:
// the request must go straight to its destination. The destination is a
// name, not "localhost", because Go's environment proxy skips loopback
// names by itself and would prove nothing.
func TestIgnoresProxyEnvironment(t *testing.T) {
	proxy := newCountedServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "proxied", http.StatusBadGateway)
	}))
	target := newCountedServer(t, okHandler())
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"} {
		t.Setenv(k, proxy.URL)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	res := newResolver(map[string][][]string{"upstream.test": {{"127.0.0.1"}}})
	c := New(Config{AllowLoopback: []string{"upstream.test:" + target.port()}, Resolver: res})

	resp, err := get(t, c, "http://upstream.test:"+target.port()+"/v1")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Fatalf("GET = %d %q, want the target's answer", resp.StatusCode, body)
	}
	if n := proxy.conns.Load(); n != 0 {
		t.Fatalf("proxy saw %d connections", n)
	}
	if c.transport.Proxy != nil {
		t.Fatal("transport has a Proxy function")
	}
}

func TestTransportSettings(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		wantPerHost int
		wantDial    time.Duration
	}{
		{"defaults", Config{}, defaultMaxIdleConnsPerHost, defaultDialTimeout},
		{"configured", Config{MaxIdleConnsPerHost: 8, DialTimeout: time.Second}, 8, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(tt.cfg)
			tr := c.transport
			switch {
			case !tr.ForceAttemptHTTP2:
				t.Error("HTTP/2 not attempted")
			case tr.DisableKeepAlives:
				t.Error("keep-alives disabled")
			case tr.Proxy != nil:
				t.Error("proxy set")
			case tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion != tls.VersionTLS12:
				t.Error("TLS minimum is not 1.2")
			case tr.TLSClientConfig.InsecureSkipVerify:
				t.Error("TLS verification off")
			case tr.MaxIdleConnsPerHost != tt.wantPerHost:
				t.Errorf("MaxIdleConnsPerHost = %d, want %d", tr.MaxIdleConnsPerHost, tt.wantPerHost)
			case tr.MaxIdleConns == 0:
				t.Error("idle pool unbounded")
			case c.dialTimeout != tt.wantDial:
				t.Errorf("dial timeout = %v, want %v", c.dialTimeout, tt.wantDial)
			case tr.TLSHandshakeTimeout <= 0 || tr.ResponseHeaderTimeout <= 0:
				t.Error("missing TLS or response-header timeout")
			case c.HTTPClient().CheckRedirect == nil:
				t.Error("redirects would be followed")
			}
		})
	}
}

// TestConnectionsArePooled sends several requests to one upstream and
// expects them to share a connection.
func TestConnectionsArePooled(t *testing.T) {
	srv := newCountedServer(t, okHandler())
	c := New(Config{AllowLoopback: []string{srv.hostPort()}})
	for range 3 {
		resp, err := get(t, c, srv.URL+"/v1")
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if n := srv.conns.Load(); n != 1 {
		t.Fatalf("server accepted %d connections, want 1", n)
	}
}

// TestUpstreamErrorsAreTyped covers failures after the checks pass: the
// error is typed, and its text (including the cause) keeps the query,
// where some providers carry their key, out.
func TestUpstreamErrorsAreTyped(t *testing.T) {
	release := make(chan struct{})
	slow := newCountedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release) })
	closed := newCountedServer(t, okHandler())
	closedAddr := closed.hostPort()
	closed.Close()

	c := New(Config{AllowLoopback: []string{slow.hostPort(), closedAddr}})
	const key = "sk-live-0123456789"
	tests := []struct {
		name    string
		url     string
		timeout time.Duration
		kind    apperr.Kind
		code    string
	}{
		{"refused", "http://" + closedAddr + "/v1?key=" + key, 0, apperr.UpstreamFailed, CodeUpstreamUnreachable},
		{"timeout", slow.URL + "/v1?key=" + key, 20 * time.Millisecond, apperr.UpstreamTimeout, CodeUpstreamTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tt.url, nil)
			_, err := c.Do(req)
			assertRefused(t, err, tt.kind, tt.code, key)
			if strings.Contains(err.Error(), key) {
				t.Fatalf("error text leaks the query: %v", err)
			}
			if tt.timeout > 0 && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("cause lost: %v", err)
			}
		})
	}
}

// TestHTTP2OverTLS talks to an allowed loopback TLS server and expects
// HTTP/2 to be negotiated through the guarded dialer.
func TestHTTP2OverTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(okHandler())
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := New(Config{AllowLoopback: []string{srv.Listener.Addr().String()}})
	c.transport.TLSClientConfig.RootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs

	resp, err := get(t, c, srv.URL+"/v1")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	if resp.ProtoMajor != 2 {
		t.Fatalf("negotiated %s, want HTTP/2", resp.Proto)
	}
}
