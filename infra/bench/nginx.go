package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// nginxMissing is the message for a machine without nginx.
const nginxMissing = "nginx is not installed: install Debian's nginx with `apt-get install -y nginx` " +
	"(make bench runs it as the zero-logic proxy floor; the bench does not start the system service)"

// nginxPath finds the nginx binary, also in /usr/sbin when PATH lacks it;
// empty when it is not installed.
func nginxPath() string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	return ""
}

// nginx is a running nginx with one location per upstream.
type nginx struct {
	*proc
	URL string
	dir string
}

// startNginx runs nginx in the foreground from a config of its own in a
// temporary directory: proxy_pass to each upstream over kept-alive HTTP/1.1
// connections, buffering off (so streams pass chunk by chunk), one worker
// per core, no access log.
func startNginx(ctx context.Context, ups *upstreams) (*nginx, error) {
	bin := nginxPath()
	if bin == "" {
		return nil, errors.New(nginxMissing)
	}
	dir, err := os.MkdirTemp("", "tollgate-bench-nginx-")
	if err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConfig(dir, port, ups)), 0o644); err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	cmd := exec.Command(bin, "-e", "stderr", "-p", dir, "-c", conf)
	p, err := startProc("nginx", cmd)
	if err != nil {
		return nil, err
	}
	n := &nginx{proc: p, URL: "http://127.0.0.1:" + strconv.Itoa(port), dir: dir}
	if err := p.waitHTTP(ctx, n.URL+"/", 20*time.Second); err != nil {
		n.stop()
		return nil, err
	}
	return n, nil
}

// nginxConfig is the whole configuration: nothing but the proxy.
func nginxConfig(dir string, port int, ups *upstreams) string {
	var b strings.Builder
	fmt.Fprintf(&b, "daemon off;\nworker_processes auto;\npid %s/nginx.pid;\nerror_log stderr warn;\n", dir)
	b.WriteString("events { worker_connections 4096; }\nhttp {\n  access_log off;\n")
	for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&b, "  %s_temp_path %s/%s;\n", t, dir, t)
	}
	for u, s := range ups {
		fmt.Fprintf(&b, "  upstream %s { server %s; keepalive 128; }\n", Upstream(u), s.Host())
	}
	fmt.Fprintf(&b, "  server {\n    listen 127.0.0.1:%d;\n", port)
	for u := range ups {
		fmt.Fprintf(&b, "    location /%[1]s/ {\n      proxy_pass http://%[1]s/;\n      proxy_http_version 1.1;\n"+
			"      proxy_set_header Connection \"\";\n      proxy_buffering off;\n      proxy_request_buffering off;\n    }\n", Upstream(u))
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// target routes through nginx's location for each upstream.
func (n *nginx) target() Target {
	t := Target{Name: NameNginx, PIDs: func() []int { return withChildren(n.pid()) }}
	for u := range upstreamCount {
		t.Endpoints[u] = Endpoint{URL: n.URL + "/" + u.String() + "/v1/chat/completions", Header: bearer(upstreamKey), Model: upstreamModel}
	}
	return t
}

// close stops nginx and removes its directory.
func (n *nginx) close() {
	n.stop()
	_ = os.RemoveAll(n.dir)
}
