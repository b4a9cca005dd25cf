package outbound

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Defaults for the zero values of Config. The response-header timeout is
// long because a non-streamed completion sends its headers only when the
// whole answer is ready; callers bound the total with their context.
const (
	defaultDialTimeout           = 10 * time.Second
	defaultTLSHandshakeTimeout   = 10 * time.Second
	defaultResponseHeaderTimeout = 5 * time.Minute
	defaultMaxIdleConnsPerHost   = 64
	maxIdleConns                 = 256 // tenants choose the hosts, so the pool is bounded in total too
	idleConnTimeout              = 90 * time.Second
	keepAlive                    = 30 * time.Second
)

// Config is the client's configuration, read from the environment once in
// main. The zero value is the production setting.
type Config struct {
	// AllowLoopback lists "host:port" (or "host", meaning ports 80 and 443)
	// destinations that may be reached on loopback, over plain http too:
	// the local stack and its mock upstream. An entry allows only that exact
	// host and port, and only when it really resolves to loopback. Empty in
	// production.
	AllowLoopback []string

	// RuntimeAPI is AWS_LAMBDA_RUNTIME_API (host:port). Its port is never
	// dialled on loopback, even when AllowLoopback lists it; port 9001, the
	// value Lambda uses, is refused whatever this says.
	RuntimeAPI string

	DialTimeout           time.Duration // connect, including DNS; 10s when zero
	TLSHandshakeTimeout   time.Duration // 10s when zero
	ResponseHeaderTimeout time.Duration // from request sent to headers read; 5m when zero
	MaxIdleConnsPerHost   int           // pooled connections kept per upstream; 64 when zero

	// Resolver answers DNS queries for the dialer; nil means
	// net.DefaultResolver. Tests inject one to simulate DNS rebinding.
	Resolver Resolver
}

// Resolver is the part of *net.Resolver the dialer needs, so tests can
// script DNS answers without a DNS server.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Client sends outbound requests under the rules of DESIGN §9. It is safe for
// concurrent use; make one per process and share it, so connections pool.
type Client struct {
	policy      *policy
	resolver    Resolver
	dialTimeout time.Duration
	transport   *http.Transport
	http        *http.Client

	// connect opens a TCP connection to an address the policy accepted. It
	// is a field so tests can observe which addresses are dialled.
	connect func(ctx context.Context, d *net.Dialer, network, address string) (net.Conn, error)
}

// New returns a Client for cfg. It performs no I/O.
func New(cfg Config) *Client {
	c := &Client{
		policy:      newPolicy(cfg.AllowLoopback, cfg.RuntimeAPI),
		resolver:    cfg.Resolver,
		dialTimeout: orDefault(cfg.DialTimeout, defaultDialTimeout),
		connect: func(ctx context.Context, d *net.Dialer, network, address string) (net.Conn, error) {
			return d.DialContext(ctx, network, address)
		},
	}
	if c.resolver == nil {
		c.resolver = net.DefaultResolver
	}
	perHost := cfg.MaxIdleConnsPerHost
	if perHost <= 0 {
		perHost = defaultMaxIdleConnsPerHost
	}
	c.transport = &http.Transport{
		Proxy:                 nil, // HTTPS_PROXY and friends must not redirect tenant traffic
		DialContext:           c.dialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   orDefault(cfg.TLSHandshakeTimeout, defaultTLSHandshakeTimeout),
		ResponseHeaderTimeout: orDefault(cfg.ResponseHeaderTimeout, defaultResponseHeaderTimeout),
		MaxIdleConns:          maxIdleConns,
		MaxIdleConnsPerHost:   perHost,
		IdleConnTimeout:       idleConnTimeout,
		ExpectContinueTimeout: time.Second,
	}
	c.http = &http.Client{
		Transport:     &checkedTransport{check: c.checkURL, next: c.transport},
		CheckRedirect: refuseRedirect,
	}
	return c
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// HTTPClient returns the shared, pooling *http.Client for libraries that
// need one. It applies the same URL and dial checks and follows no
// redirect; prefer Do, which also turns failures into *apperr.Error.
func (c *Client) HTTPClient() *http.Client { return c.http }

// Do checks req's URL and sends it. Every failure is an *apperr.Error:
// Invalid (invalid_url) or Forbidden (destination_blocked) for refused
// destinations, UpstreamFailed for redirects and unreachable upstreams,
// UpstreamTimeout for timeouts. The response body is the caller's to close.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if err := c.checkURL(req.URL); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, upstreamError(err)
	}
	return resp, nil
}

// refuseRedirect makes a redirect an error rather than a response, so no
// caller can follow a 3xx to an address it never checked.
func refuseRedirect(req *http.Request, _ []*http.Request) error {
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	return errRedirect(status)
}

// checkedTransport runs the URL checks on every request, including those
// sent through HTTPClient, before the pooled transport sees it.
type checkedTransport struct {
	check func(*url.URL) *apperr.Error
	next  *http.Transport
}

// RoundTrip refuses a request whose URL fails the checks, closing its body
// as the RoundTripper contract requires.
func (t *checkedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.check(req.URL); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the pool.
func (t *checkedTransport) CloseIdleConnections() { t.next.CloseIdleConnections() }
