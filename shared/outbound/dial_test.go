package outbound

import (
	"context"
	"net"
	"slices"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// TestDialRefusesResolvedAddresses covers names whose URL is fine but whose
// DNS answer is not: the refusal must come from the dial check, before any
// connection is attempted.
func TestDialRefusesResolvedAddresses(t *testing.T) {
	tests := []struct {
		name   string
		answer []string
	}{
		{"instance metadata", []string{"169.254.169.254"}},
		{"instance metadata IPv6", []string{"fd00:ec2::254"}},
		{"container credentials", []string{"169.254.170.2"}},
		{"loopback", []string{"127.0.0.1"}},
		{"loopback IPv6", []string{"::1"}},
		{"unspecified", []string{"0.0.0.0"}},
		{"unspecified IPv6", []string{"::"}},
		{"private 10", []string{"10.1.2.3"}},
		{"private 172", []string{"172.31.0.5"}},
		{"private 192", []string{"192.168.0.10"}},
		{"CGNAT", []string{"100.100.100.200"}},
		{"ULA", []string{"fc00::5"}},
		{"link-local IPv6", []string{"fe80::1"}},
		{"multicast", []string{"239.1.1.1"}},
		{"IPv4-mapped loopback", []string{"::ffff:127.0.0.1"}},
		{"IPv4-mapped metadata", []string{"::ffff:169.254.169.254"}},
		{"IPv4-compatible", []string{"::10.0.0.1"}},
		{"NAT64 metadata", []string{"64:ff9b::a9fe:a9fe"}},
		{"6to4 loopback", []string{"2002:7f00:1::"}},
		{"Teredo", []string{"2001:0:4136:e378:8000:63bf:3fff:fdd2"}},
		{"public then private in one answer", []string{"93.184.215.14", "10.0.0.1"}},
		{"private then public in one answer", []string{"192.168.1.1", "2606:4700:4700::1111"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := newResolver(map[string][][]string{"target.example": {tt.answer}})
			c := New(Config{Resolver: res})
			dials := watchDials(c)
			u := "https://target.example/v1/chat/completions"
			if err := c.CheckURL(mustParse(t, u)); err != nil {
				t.Fatalf("the URL alone is fine, CheckURL = %v", err)
			}
			_, err := get(t, c, u)
			assertRefused(t, err, apperr.Forbidden, CodeDestinationBlocked, append(tt.answer, "target.example", "443")...)
			if got := dials.list(); len(got) != 0 {
				t.Fatalf("dialled %v, want nothing", got)
			}
			if res.lookups("target.example") != 1 {
				t.Fatalf("resolver asked %d times, want 1", res.lookups("target.example"))
			}
		})
	}
}

// TestDNSRebindingToLiveServer points a name at a live loopback server: the
// URL check passes, and the dial must still be refused before the server
// sees a connection.
func TestDNSRebindingToLiveServer(t *testing.T) {
	srv := newCountedServer(t, okHandler())
	res := newResolver(map[string][][]string{"rebind.example": {{"127.0.0.1"}}})
	c := New(Config{Resolver: res})
	for _, scheme := range []string{"https", "http"} {
		t.Run(scheme, func(t *testing.T) {
			u := scheme + "://rebind.example:" + srv.port() + "/"
			_, err := get(t, c, u)
			if scheme == "https" {
				if err := c.CheckURL(mustParse(t, u)); err != nil {
					t.Fatalf("the URL alone is fine, CheckURL = %v", err)
				}
				assertRefused(t, err, apperr.Forbidden, CodeDestinationBlocked, "rebind", srv.port(), "127.0.0.1")
			} else {
				assertRefused(t, err, apperr.Invalid, CodeInvalidURL, "rebind", srv.port())
			}
			if n := srv.conns.Load(); n != 0 {
				t.Fatalf("server accepted %d connections, want 0", n)
			}
		})
	}
}

// TestDNSRebindingSequence answers a public address first and a private one
// next, the classic check-then-use race: each dial must judge the answer it
// actually uses.
func TestDNSRebindingSequence(t *testing.T) {
	res := newResolver(map[string][][]string{
		"rebind.example": {{"93.184.215.14"}, {"127.0.0.1"}, {"169.254.169.254"}},
	})
	c := New(Config{Resolver: res})
	dials := watchDials(c)
	const u = "https://rebind.example/v1/models"

	_, err := get(t, c, u)
	assertRefused(t, err, apperr.UpstreamFailed, CodeUpstreamUnreachable, "rebind")
	if got, want := dials.list(), []string{"93.184.215.14:443"}; !slices.Equal(got, want) {
		t.Fatalf("first request dialled %v, want %v", got, want)
	}
	for i, leak := range []string{"127.0.0.1", "169.254.169.254"} {
		_, err = get(t, c, u)
		assertRefused(t, err, apperr.Forbidden, CodeDestinationBlocked, "rebind", leak)
		if got := dials.list(); len(got) != 1 {
			t.Fatalf("request %d after rebinding dialled %v", i+2, got[1:])
		}
	}
	if n := res.lookups("rebind.example"); n != 3 {
		t.Fatalf("resolver asked %d times, want once per dial (3)", n)
	}
}

// TestControlChecksTheRealConnection swaps the address between the check
// and the connect, as a bug in a lower layer might: the dialer's Control
// hook must still refuse the loopback server.
func TestControlChecksTheRealConnection(t *testing.T) {
	srv := newCountedServer(t, okHandler())
	res := newResolver(map[string][][]string{"public.example": {{"93.184.215.14"}}})
	c := New(Config{Resolver: res})
	c.connect = func(ctx context.Context, d *net.Dialer, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, srv.hostPort())
	}
	_, err := get(t, c, "https://public.example/")
	assertRefused(t, err, apperr.Forbidden, CodeDestinationBlocked, srv.port(), "127.0.0.1")
	if n := srv.conns.Load(); n != 0 {
		t.Fatalf("server accepted %d connections, want 0", n)
	}
}

// TestNumericHostNeverResolved makes sure a numeric host that slipped past
// the URL check (through HTTPClient's transport directly) is read as an
// address, not sent to a resolver that might read it differently.
func TestNumericHostNeverResolved(t *testing.T) {
	for _, host := range []string{"2130706433", "0x7f.1", "0177.0.0.1", "127.1"} {
		t.Run(host, func(t *testing.T) {
			res := newResolver(map[string][][]string{host: {{"93.184.215.14"}}})
			c := New(Config{Resolver: res})
			dials := watchDials(c)
			_, err := c.dialContext(t.Context(), "tcp", net.JoinHostPort(host, "443"))
			assertRefused(t, err, apperr.Forbidden, CodeDestinationBlocked, host)
			if res.lookups(host) != 0 || len(dials.list()) != 0 {
				t.Fatalf("numeric host was resolved (%d) or dialled (%v)", res.lookups(host), dials.list())
			}
		})
	}
}
