package api_test

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/member"
)

// TestProviderBaseURLsAreCheckedWhenSaved runs the outbound client's SSRF
// rules through the one API route that saves a tenant-controlled URL: each
// internal destination is refused with a typed error that names no
// internal address, and nothing is stored.
func TestProviderBaseURLsAreCheckedWhenSaved(t *testing.T) {
	a := newOrg(t, "Kappa")
	path := "/api/v1/workspaces/" + a.Workspace + "/keys/custom"
	for _, c := range []struct{ name, url, code, secret string }{
		{"instance metadata", "https://169.254.169.254/latest/meta-data/", "destination_blocked", "169.254"},
		{"metadata over IPv6", "https://[fd00:ec2::254]/", "destination_blocked", "fd00"},
		{"container credentials", "https://169.254.170.2/v2/credentials", "destination_blocked", "169.254"},
		{"loopback", "https://127.0.0.1:9001/", "destination_blocked", "9001"},
		{"private", "https://10.1.2.3/v1", "destination_blocked", "10.1.2.3"},
		{"CGNAT", "https://100.64.0.7/v1", "destination_blocked", "100.64"},
		{"ULA", "https://[fc00::7]/v1", "destination_blocked", "fc00"},
		{"IPv4-mapped IPv6", "https://[::ffff:169.254.169.254]/", "destination_blocked", "169.254"},
		{"decimal IP", "https://2852039166/", "destination_blocked", "2852039166"},
		{"octal IP", "https://0251.0376.0251.0376/", "destination_blocked", "0251"},
		{"hex IP", "https://0xa9fea9fe/", "destination_blocked", "0xa9fe"},
		{"userinfo", "https://user:pw@api.example.com/v1", "credential_in_body", "pw@"},
		{"plain http", "http://api.example.com/v1", "invalid_url", ""},
		{"file scheme", "file:///etc/passwd", "invalid_url", "passwd"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, body := do(t, a.keys[member.Owner], "PUT", path,
				`{"kind":"openai","api_key":"sk-ssrf-0123456789abcdef","base_url":"`+c.url+`"}`)
			if st != 400 && st != 403 || code(body) != c.code {
				t.Fatalf("%d %s, want %s", st, body, c.code)
			}
			if c.secret != "" && strings.Contains(body, c.secret) {
				t.Fatalf("the refusal names the address: %s", body)
			}
		})
	}
	if _, body := do(t, a.keys[member.Owner], "GET", "/api/v1/workspaces/"+a.Workspace+"/keys", ""); strings.Contains(body, "custom") {
		t.Fatalf("a refused connection was stored: %s", body)
	}
}
