package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/provider/mock"
)

// upstreamKey is the provider key the loopback upstreams require: every
// target must pass a key, as with a real provider.
const upstreamKey = "sk-bench-LOOPBACKUPSTREAMKEY0123456789abcdef0123456789"

// upstreamModel is the model every request names at the upstream.
const upstreamModel = "mock-small"

// server is one loopback HTTP server this process runs.
type server struct {
	URL string // http://127.0.0.1:port
	srv *http.Server
}

// serve starts h on a free loopback port.
func serve(h http.Handler) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	s := &server{URL: "http://" + l.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	// Serve returns when the server is shut down; a server that failed
	// shows as failed requests in the load run.
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Host is the server's host:port.
func (s *server) Host() string { return s.URL[len("http://"):] }

func (s *server) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// upstreams are the three loopback OpenAI-compatible upstreams, indexed by
// Upstream.
type upstreams [upstreamCount]*server

// startUpstreams starts the mock provider's HTTP handler three times with
// the run's pacing.
func startUpstreams(o Options) (_ *upstreams, err error) {
	var u upstreams
	defer func() {
		if err != nil {
			u.close()
		}
	}()
	pacing := [upstreamCount]mock.Options{
		Paced:  {FirstByteDelay: o.UpstreamLatency},
		Stream: {FirstByteDelay: o.StreamFirstByte, ChunkDelay: o.ChunkInterval},
		Fast:   {},
	}
	for i, p := range pacing {
		p.APIKey = upstreamKey
		m, err := mock.New(p)
		if err != nil {
			return nil, fmt.Errorf("mock upstream %s: %w", Upstream(i), err)
		}
		if u[i], err = serve(m.Handler()); err != nil {
			return nil, fmt.Errorf("mock upstream %s: %w", Upstream(i), err)
		}
	}
	return &u, nil
}

func (u *upstreams) close() {
	for _, s := range u {
		if s != nil {
			s.close()
		}
	}
}

// direct is the baseline target: the upstreams themselves.
func (u *upstreams) direct() Target {
	t := Target{Name: NameDirect}
	for i, s := range u {
		t.Endpoints[i] = Endpoint{URL: s.URL + "/v1/chat/completions", Header: bearer(upstreamKey), Model: upstreamModel}
	}
	return t
}

func bearer(key string) http.Header {
	return http.Header{"Authorization": {"Bearer " + key}}
}
