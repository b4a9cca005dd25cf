package bench

import (
	"strings"
	"testing"
)

func TestThrown(t *testing.T) {
	tests := []struct {
		name, out, want string
	}{
		{"portkey on node 20",
			"\x1b[32m✨ Ready for connections!\x1b[0m\n⠋ Starting AI Gateway...tryTargetsRecursively error:  immutable undefined TypeError: immutable\n" +
				"    at appendHeader (node:internal/deps/undici/undici:8874:15)\n    at _Headers.append (node:internal/deps/undici/undici:9077:16)\n" +
				"    at ru.updateHeaders (file:///x/start-server.js:2:434559)\n    at ru.create (file:///x/start-server.js:2:434117)\n",
			`"TypeError: immutable at appendHeader ← _Headers.append ← ru.updateHeaders"`},
		{"no stack", "RangeError: too far\n", `"RangeError: too far"`},
		{"nothing", "all good\n", "no error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := thrown(tt.out); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNginxConfig(t *testing.T) {
	ups := &upstreams{{URL: "http://127.0.0.1:1001"}, {URL: "http://127.0.0.1:1002"}, {URL: "http://127.0.0.1:1003"}}
	conf := nginxConfig("/tmp/x", 8080, ups)
	for _, want := range []string{
		"daemon off;", "listen 127.0.0.1:8080;", "access_log off;", "pid /tmp/x/nginx.pid;",
		"upstream paced { server 127.0.0.1:1001; keepalive 128; }",
		"upstream stream { server 127.0.0.1:1002; keepalive 128; }",
		"location /fast/ {", "proxy_pass http://fast/;", "proxy_buffering off;", "proxy_http_version 1.1;",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("config lacks %q:\n%s", want, conf)
		}
	}
	if strings.Count(conf, "{") != strings.Count(conf, "}") {
		t.Errorf("unbalanced braces:\n%s", conf)
	}
}

func TestSigningService(t *testing.T) {
	tests := []struct{ authz, want string }{
		{"AWS4-HMAC-SHA256 Credential=ASIA123/20261123/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc", "dynamodb"},
		{"AWS4-HMAC-SHA256 Credential=AKIA1/20261123/us-east-1/kms/aws4_request,SignedHeaders=host", "kms"},
		{"Bearer token", ""},
		{"AWS4-HMAC-SHA256 Credential=broken", ""},
	}
	for _, tt := range tests {
		if got := signingService(tt.authz); got != tt.want {
			t.Errorf("signingService(%q) = %q, want %q", tt.authz, got, tt.want)
		}
	}
}
