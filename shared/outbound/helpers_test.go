package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// fakeResolver answers from a script: each host has a sequence of answers,
// one per lookup, the last repeating. It stands in for DNS, which a test
// cannot control, so rebinding can be simulated exactly.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]string
	calls   map[string]int
}

func newResolver(answers map[string][][]string) *fakeResolver {
	return &fakeResolver{answers: answers, calls: map[string]int{}}
}

func (r *fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seq, ok := r.answers[host]
	if !ok || len(seq) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	i := min(r.calls[host], len(seq)-1)
	r.calls[host]++
	out := make([]net.IPAddr, 0, len(seq[i]))
	for _, s := range seq[i] {
		a := netip.MustParseAddr(s)
		out = append(out, net.IPAddr{IP: net.IP(a.AsSlice()), Zone: a.Zone()})
	}
	return out, nil
}

func (r *fakeResolver) lookups(host string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[host]
}

// errOffline is what the dial log answers for a non-loopback address, so no
// test ever reaches the network.
var errOffline = errors.New("test network: only loopback is reachable")

// dialLog records every address the client hands to the dialer after its
// checks. Loopback addresses are really dialled (with the Control hook);
// others fail with errOffline.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func watchDials(c *Client) *dialLog {
	l := &dialLog{}
	next := c.connect
	c.connect = func(ctx context.Context, d *net.Dialer, network, address string) (net.Conn, error) {
		l.mu.Lock()
		l.addrs = append(l.addrs, address)
		l.mu.Unlock()
		if ap, err := netip.ParseAddrPort(address); err != nil || !ap.Addr().Unmap().IsLoopback() {
			return nil, errOffline
		}
		return next(ctx, d, network, address)
	}
	return l
}

func (l *dialLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.addrs...)
}

// countedServer is a loopback server that counts the connections it
// accepts, to prove a refused destination never saw a packet.
type countedServer struct {
	*httptest.Server
	conns atomic.Int32
}

func newCountedServer(t *testing.T, h http.Handler) *countedServer {
	t.Helper()
	s := &countedServer{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// hostPort is the server's "127.0.0.1:port".
func (s *countedServer) hostPort() string { return s.Listener.Addr().String() }

// port is the server's port alone.
func (s *countedServer) port() string {
	_, p, _ := net.SplitHostPort(s.hostPort())
	return p
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
}

// get sends a GET for rawURL through c.Do.
func get(t *testing.T, c *Client, rawURL string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatalf("new request %q: %v", rawURL, err)
	}
	resp, err := c.Do(req)
	if err == nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, err
}

// assertRefused checks err is an *apperr.Error of the given kind and code
// whose client-facing message names none of secrets and holds no digit,
// bracket or "::", so no address or port of any form can be in it.
func assertRefused(t *testing.T, err error, kind apperr.Kind, code string, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s/%s, got no error", kind, code)
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("want *apperr.Error, got %T: %v", err, err)
	}
	if ae.Kind != kind || ae.Code != code {
		t.Fatalf("want %s/%s, got %s/%s (%v)", kind, code, ae.Kind, ae.Code, err)
	}
	if strings.ContainsAny(ae.Message, "0123456789[]") || strings.Contains(ae.Message, "::") {
		t.Errorf("message may name an address: %q", ae.Message)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(strings.ToLower(ae.Message), strings.ToLower(s)) {
			t.Errorf("message %q names %q", ae.Message, s)
		}
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	return u
}
