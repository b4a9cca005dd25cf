package enforcer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
)

type wireKey struct{}

// newReverseProxy forwards allowed requests to target unchanged (the inbound
// Host header is kept, so queue URLs the emulator builds point back at the
// enforcer) and streams the answer back.
func (e *Enforcer) newReverseProxy(target *url.URL) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
		},
		Transport:     e.transport,
		FlushInterval: -1,
		ErrorLog:      slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			e.log.Error("upstream unreachable", "upstream", target.Host, "err", err)
			wi, _ := r.Context().Value(wireKey{}).(wire)
			wi.write(w, serviceUnavailable())
			if s, ok := r.Context().Value(statKey{}).(statLabel); ok {
				e.stats.record(s.service, s.op, outcomeUpstreamError)
			}
		},
	}
}

type statKey struct{}

type statLabel struct{ service, op string }

// forward sends an allowed request on through the reverse proxy for target.
func (e *Enforcer) forward(w http.ResponseWriter, r *http.Request, body []byte, rp *httputil.ReverseProxy, wi wire, label statLabel) {
	ctx := context.WithValue(r.Context(), wireKey{}, wi)
	ctx = context.WithValue(ctx, statKey{}, label)
	out := r.WithContext(ctx)
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	rp.ServeHTTP(w, out)
}

// roundTrip sends the request to target and returns the answer for the
// enforcer to read (AssumeRole, whose credentials must be recorded).
func (e *Enforcer) roundTrip(r *http.Request, body []byte, target *url.URL) (*http.Response, error) {
	u := *target
	u.Path = singleJoin(target.Path, r.URL.Path)
	u.RawPath = ""
	u.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build upstream request: %w", err)
	}
	out.Header = r.Header.Clone()
	// Let the transport negotiate and undo compression: the body is parsed.
	out.Header.Del("Accept-Encoding")
	out.Host = r.Host
	resp, err := e.transport.RoundTrip(out)
	if err != nil {
		return nil, fmt.Errorf("upstream round trip: %w", err)
	}
	return resp, nil
}

func singleJoin(a, b string) string {
	switch {
	case a == "" || a == "/":
		return b
	case b == "" || b == "/":
		return a
	case a[len(a)-1] == '/' && b[0] == '/':
		return a + b[1:]
	case a[len(a)-1] != '/' && b[0] != '/':
		return a + "/" + b
	}
	return a + b
}

// hopHeaders are connection-specific and not copied to the client.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Content-Length": true, "Content-Encoding": true,
}

// copyResponse writes an upstream answer whose body was read (and, if
// compressed, decompressed by the transport).
func copyResponse(w http.ResponseWriter, resp *http.Response, body []byte) {
	for k, vs := range resp.Header {
		if hopHeaders[k] {
			continue
		}
		w.Header()[k] = append([]string(nil), vs...)
	}
	if !resp.Uncompressed {
		if ce := resp.Header.Get("Content-Encoding"); ce != "" {
			w.Header().Set("Content-Encoding", ce)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}
