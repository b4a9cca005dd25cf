package outbound

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// CheckURL applies the checks that need no network: the scheme is https
// (http only for an AllowLoopback host:port), there is no userinfo, the host
// is a DNS name or a canonical IP literal without a zone, and a literal
// address is not in a blocked range. Call it when a tenant saves a base URL
// so mistakes surface early; Do calls it on every request, and the dialer
// still checks the resolved address, which is what stops DNS rebinding.
func (c *Client) CheckURL(u *url.URL) error {
	if err := c.checkURL(u); err != nil {
		return err
	}
	return nil
}

func (c *Client) checkURL(u *url.URL) *apperr.Error {
	switch {
	case u == nil:
		return invalidURL("empty")
	case u.Opaque != "":
		return invalidURL("not an absolute http URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return invalidURL("scheme must be https")
	case u.User != nil:
		return invalidURL("credentials in the URL are not allowed")
	}
	host := u.Hostname()
	if host == "" {
		return invalidURL("host is missing")
	}
	port, err := effectivePort(u)
	if err != nil {
		return invalidURL("port is not valid")
	}
	if u.Scheme == "http" && !c.policy.allowed(host, port) {
		return invalidURL("scheme must be https")
	}
	return c.checkHost(host, port)
}

// checkHost judges the host part of a URL whose scheme and port passed.
func (c *Client) checkHost(host, port string) *apperr.Error {
	if strings.Contains(host, "%") {
		return invalidURL("zone identifiers are not allowed")
	}
	n, _ := strconv.ParseUint(port, 10, 16)
	if a, err := netip.ParseAddr(host); err == nil {
		if r := c.policy.permit(host, a, uint16(n)); r != "" {
			return blocked(r, errors.New("literal address in URL"))
		}
		return nil
	}
	if endsInNumber(host) {
		if a, ok := parseAton(host); ok {
			if r := c.policy.reason(a); r != "" {
				return blocked(r, errors.New("numeric host in URL"))
			}
		}
		return invalidURL("host must be a DNS name or a canonical IP address")
	}
	if !validHostname(host) {
		return invalidURL("host must be an ASCII DNS name")
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if (name == "localhost" || strings.HasSuffix(name, ".localhost")) && !c.policy.allowed(host, port) {
		return blocked(reasonLoopback, errors.New("localhost name in URL"))
	}
	return nil
}

// effectivePort returns the URL's port, or the scheme's default.
func effectivePort(u *url.URL) (string, error) {
	p := u.Port()
	if p == "" {
		if u.Scheme == "http" {
			return "80", nil
		}
		return "443", nil
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil || n == 0 {
		return "", fmt.Errorf("port out of range")
	}
	return strconv.FormatUint(n, 10), nil
}

// validHostname accepts ASCII DNS names (letters, digits, '-', '_', dots,
// one trailing dot). Non-ASCII names are refused rather than mapped: IDNA
// folds full-width digits and dots, so "１２７．０．０．１" would otherwise
// reach the transport as 127.0.0.1. Tenants can use the punycode form.
func validHostname(host string) bool {
	name := strings.TrimSuffix(host, ".")
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			switch {
			case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9', ch == '-', ch == '_':
			default:
				return false
			}
		}
	}
	return true
}
