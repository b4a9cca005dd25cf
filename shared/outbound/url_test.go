package outbound

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

func TestCheckURL(t *testing.T) {
	c := New(Config{AllowLoopback: []string{"127.0.0.1:8080", "localhost:8081", "mock.test:8082", "[::1]:8083", "127.0.0.1:9001"}})
	const (
		ok        = ""
		invalid   = CodeInvalidURL
		forbidden = CodeDestinationBlocked
	)
	tests := []struct {
		name    string
		url     string
		want    string   // code, "" when allowed
		secrets []string // strings the message must not contain
	}{
		{"public https", "https://api.openai.com/v1", ok, nil},
		{"public https with port", "https://api.example.com:8443/v1", ok, nil},
		{"public IP literal", "https://8.8.8.8/", ok, nil},
		{"trailing dot", "https://api.openai.com./v1", ok, nil},

		{"http public", "http://api.openai.com/v1", invalid, []string{"openai"}},
		{"ftp", "ftp://files.example.com/x", invalid, []string{"files.example"}},
		{"file", "file:///etc/passwd", invalid, []string{"passwd"}},
		{"gopher", "gopher://127.0.0.1:6379/_INFO", invalid, nil},
		{"nil URL", "", invalid, nil},
		{"opaque", "https:api.example.com", invalid, nil},
		{"userinfo", "https://user:s3cret@api.example.com/", invalid, []string{"user", "s3cret"}},
		{"username only", "https://sk-abc@api.example.com/", invalid, []string{"sk-abc"}},
		{"empty host", "https:///v1", invalid, nil},
		{"port zero", "https://api.example.com:0/", invalid, nil},
		{"port out of range", "https://api.example.com:70000/", invalid, nil},
		{"IPv6 zone", "https://[fe80::1%25eth0]/", invalid, []string{"eth"}},
		{"full-width digits", "https://１２７.０.０.１/", invalid, nil},
		{"non-ASCII name", "https://bücher.example/", invalid, nil},
		{"space-free junk", "https://a*b.example/", invalid, nil},

		{"loopback", "https://127.0.0.1/", forbidden, nil},
		{"loopback other", "https://127.8.9.10:8443/", forbidden, []string{"8443"}},
		{"IPv6 loopback", "https://[::1]/", forbidden, nil},
		{"localhost", "https://localhost/", forbidden, []string{"localhost"}},
		{"localhost subdomain", "https://evil.localhost./", forbidden, []string{"evil"}},
		{"unspecified", "https://0.0.0.0/", forbidden, nil},
		{"IPv6 unspecified", "https://[::]/", forbidden, nil},
		{"metadata", "https://169.254.169.254/latest/meta-data/", forbidden, nil},
		{"container credentials", "https://169.254.170.2/v2/credentials", forbidden, nil},
		{"IPv6 metadata", "https://[fd00:ec2::254]/latest/meta-data/", forbidden, nil},
		{"private 10", "https://10.0.0.1/", forbidden, nil},
		{"private 172", "https://172.16.5.4/", forbidden, nil},
		{"private 192", "https://192.168.1.1/", forbidden, nil},
		{"CGNAT", "https://100.64.0.1/", forbidden, nil},
		{"ULA", "https://[fc00::1]/", forbidden, nil},
		{"link-local v6", "https://[fe80::1]/", forbidden, nil},
		{"multicast", "https://224.0.0.1/", forbidden, nil},
		{"broadcast", "https://255.255.255.255/", forbidden, nil},
		{"benchmarking", "https://198.18.0.1/", forbidden, nil},
		{"reserved", "https://240.0.0.1/", forbidden, nil},
		{"IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/", forbidden, nil},
		{"IPv4-mapped metadata hex", "https://[::ffff:a9fe:a9fe]/", forbidden, nil},
		{"IPv4-compatible", "https://[::169.254.169.254]/", forbidden, nil},
		{"NAT64 private", "https://[64:ff9b::a00:1]/", forbidden, nil},
		{"6to4 metadata", "https://[2002:a9fe:a9fe::1]/", forbidden, nil},
		{"Teredo", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", forbidden, nil},
		{"decimal loopback", "https://2130706433/", forbidden, []string{"2130706433"}},
		{"decimal metadata", "https://2852039166/", forbidden, nil},
		{"octal loopback", "https://0177.0.0.1/", forbidden, nil},
		{"hex loopback", "https://0x7f.0.0.1/", forbidden, nil},
		{"hex single loopback", "https://0x7f000001/", forbidden, nil},
		{"short loopback", "https://127.1/", forbidden, nil},
		{"short metadata", "https://169.254.43518/", forbidden, nil},
		{"zero", "https://0/", forbidden, nil},
		{"numeric trailing dot", "https://127.0.0.1./", forbidden, nil},
		{"decimal public", "https://134744072/", invalid, nil},
		{"leading-zero public", "https://08.08.08.08/", invalid, nil},
		{"too many parts", "https://1.2.3.4.5/", invalid, nil},
		{"numeric TLD", "https://api.example.42/", invalid, nil},

		{"allowed http literal", "http://127.0.0.1:8080/v1", ok, nil},
		{"allowed https literal", "https://127.0.0.1:8080/v1", ok, nil},
		{"allowed localhost", "http://localhost:8081/v1", ok, nil},
		{"allowed localhost any case", "http://LOCALHOST:8081/v1", ok, nil},
		{"allowed name", "http://mock.test:8082/v1", ok, nil},
		{"allowed IPv6", "http://[::1]:8083/v1", ok, nil},
		{"allowed literal other port", "http://127.0.0.1:8081/v1", invalid, nil},
		{"allowed literal other port https", "https://127.0.0.1:8081/v1", forbidden, []string{"8081"}},
		{"allowed port other host", "http://localhost:8080/v1", invalid, nil},
		{"allowed port https other host", "https://localhost:8080/v1", forbidden, nil},
		{"allowed literal default port", "http://127.0.0.1/v1", invalid, nil},
		{"lambda runtime api even if allowed", "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next", forbidden, []string{"9001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u *url.URL
			if tt.url != "" {
				var err error
				if u, err = url.Parse(tt.url); err != nil {
					t.Fatalf("parse %q: %v", tt.url, err)
				}
			}
			err := c.CheckURL(u)
			if tt.want == ok {
				if err != nil {
					t.Fatalf("CheckURL(%s) = %v, want nil", tt.url, err)
				}
				return
			}
			kind := apperr.Invalid
			if tt.want == forbidden {
				kind = apperr.Forbidden
			}
			secrets := tt.secrets
			if u != nil {
				secrets = append(secrets, u.Hostname())
			}
			assertRefused(t, err, kind, tt.want, secrets...)
			if u != nil && u.User != nil {
				pass, _ := u.User.Password()
				for _, s := range []string{u.User.Username(), pass} {
					if s != "" && strings.Contains(err.Error(), s) {
						t.Errorf("error text %q leaks userinfo", err.Error())
					}
				}
			}
		})
	}
}
