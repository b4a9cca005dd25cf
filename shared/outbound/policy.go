package outbound

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Reasons name the class of a refused address. They end up in client-facing
// messages, so they describe the class and never the address itself.
const (
	reasonLoopback    = "loopback address"
	reasonPrivate     = "private network address"
	reasonLinkLocal   = "link-local address"
	reasonUnspecified = "unspecified address"
	reasonShared      = "carrier-grade NAT address"
	reasonMulticast   = "multicast address"
	reasonBroadcast   = "broadcast address"
	reasonReserved    = "reserved address"
	reasonScoped      = "address with a zone"
	reasonNotLoopback = "allowed local destination is not a loopback address"
)

// defaultRuntimePort is the Lambda Runtime API's port (AWS_LAMBDA_RUNTIME_API
// is 127.0.0.1:9001 in every Lambda environment). It is refused on loopback
// whatever the configuration says.
const defaultRuntimePort = 9001

// rangeRule refuses a prefix for a reason, or, when embedded is set, judges
// the IPv4 address the prefix carries inside it (NAT64, 6to4) instead.
type rangeRule struct {
	prefix   netip.Prefix
	reason   string
	embedded func(a [16]byte) netip.Addr
}

// policy decides which addresses may be dialled. It is built once per
// Client and only read afterwards, so it is safe for concurrent use.
type policy struct {
	v4, v6 []rangeRule
	global netip.Prefix // 2000::/3, the only IPv6 unicast space in use on the internet

	allow       map[allowKey]bool
	deniedPorts map[uint16]bool // loopback ports never dialled: the Lambda Runtime API
}

// allowKey is one AllowLoopback entry. An empty port stands for the default
// ports (80 and 443) of a URL that names none.
type allowKey struct{ host, port string }

func newPolicy(allowLoopback []string, runtimeAPI string) *policy {
	p := &policy{
		v4: []rangeRule{
			{prefix: pfx("0.0.0.0/8"), reason: reasonUnspecified},
			{prefix: pfx("10.0.0.0/8"), reason: reasonPrivate},
			{prefix: pfx("100.64.0.0/10"), reason: reasonShared},
			{prefix: pfx("127.0.0.0/8"), reason: reasonLoopback},
			{prefix: pfx("169.254.0.0/16"), reason: reasonLinkLocal}, // instance metadata, container credentials
			{prefix: pfx("172.16.0.0/12"), reason: reasonPrivate},
			{prefix: pfx("192.0.0.0/24"), reason: reasonReserved}, // IETF protocol assignments
			{prefix: pfx("192.0.2.0/24"), reason: reasonReserved}, // documentation
			{prefix: pfx("192.88.99.0/24"), reason: reasonReserved},
			{prefix: pfx("192.168.0.0/16"), reason: reasonPrivate},
			{prefix: pfx("198.18.0.0/15"), reason: reasonReserved}, // benchmarking
			{prefix: pfx("198.51.100.0/24"), reason: reasonReserved},
			{prefix: pfx("203.0.113.0/24"), reason: reasonReserved},
			{prefix: pfx("224.0.0.0/4"), reason: reasonMulticast},
			{prefix: pfx("255.255.255.255/32"), reason: reasonBroadcast},
			{prefix: pfx("240.0.0.0/4"), reason: reasonReserved},
		},
		v6: []rangeRule{
			{prefix: pfx("::/96"), reason: reasonReserved},           // IPv4-compatible (deprecated)
			{prefix: pfx("::ffff:0:0:0/96"), reason: reasonReserved}, // IPv4-translated
			{prefix: pfx("64:ff9b::/96"), embedded: lastFour},        // NAT64 well-known prefix
			{prefix: pfx("64:ff9b:1::/48"), reason: reasonReserved},  // local-use NAT64
			{prefix: pfx("100::/64"), reason: reasonReserved},        // discard-only
			{prefix: pfx("2001::/32"), reason: reasonReserved},       // Teredo
			{prefix: pfx("2001:db8::/32"), reason: reasonReserved},   // documentation
			{prefix: pfx("2001::/23"), reason: reasonReserved},       // IETF protocol assignments
			{prefix: pfx("2002::/16"), embedded: sixToFour},          // 6to4
			{prefix: pfx("3fff::/20"), reason: reasonReserved},       // documentation
			{prefix: pfx("5f00::/16"), reason: reasonReserved},       // SRv6 SIDs
			{prefix: pfx("fc00::/7"), reason: reasonPrivate},         // ULA, incl. fd00:ec2::254 (IPv6 IMDS)
			{prefix: pfx("fe80::/10"), reason: reasonLinkLocal},
			{prefix: pfx("fec0::/10"), reason: reasonPrivate}, // site-local (deprecated)
			{prefix: pfx("ff00::/8"), reason: reasonMulticast},
		},
		global:      pfx("2000::/3"),
		allow:       make(map[allowKey]bool, len(allowLoopback)),
		deniedPorts: map[uint16]bool{defaultRuntimePort: true},
	}
	for _, entry := range allowLoopback {
		p.allow[parseAllowEntry(entry)] = true
	}
	if _, port, err := net.SplitHostPort(runtimeAPI); err == nil {
		if n, err := strconv.ParseUint(port, 10, 16); err == nil {
			p.deniedPorts[uint16(n)] = true
		}
	}
	return p
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func lastFour(a [16]byte) netip.Addr  { return netip.AddrFrom4([4]byte(a[12:16])) }
func sixToFour(a [16]byte) netip.Addr { return netip.AddrFrom4([4]byte(a[2:6])) }

// parseAllowEntry turns "host:port" or "host" into a key in the same
// canonical form allowed uses.
func parseAllowEntry(entry string) allowKey {
	entry = strings.TrimSpace(entry)
	host, port, err := net.SplitHostPort(entry)
	if err != nil {
		host, port = strings.Trim(entry, "[]"), ""
	}
	return allowKey{host: canonicalHost(host), port: port}
}

// canonicalHost lower-cases a name and rewrites an IP literal in its one
// canonical form, so "0:0::1" and "::1" are the same entry.
func canonicalHost(host string) string {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.String()
	}
	return strings.ToLower(host)
}

// allowed reports whether host:port is an AllowLoopback entry. port is the
// effective port, never empty.
func (p *policy) allowed(host, port string) bool {
	if len(p.allow) == 0 {
		return false
	}
	host = canonicalHost(host)
	if p.allow[allowKey{host, port}] {
		return true
	}
	return (port == "80" || port == "443") && p.allow[allowKey{host, ""}]
}

// reason returns why a may not be dialled, or "" when it may. It ignores the
// allow-list; see permit.
func (p *policy) reason(a netip.Addr) string {
	if !a.IsValid() {
		return reasonReserved
	}
	if a.Zone() != "" {
		return reasonScoped
	}
	a = a.Unmap() // ::ffff:a.b.c.d is judged as a.b.c.d
	if a.Is4() {
		for _, r := range p.v4 {
			if r.prefix.Contains(a) {
				return r.reason
			}
		}
		return ""
	}
	switch {
	case a.IsUnspecified():
		return reasonUnspecified
	case a.IsLoopback():
		return reasonLoopback
	}
	for _, r := range p.v6 {
		if !r.prefix.Contains(a) {
			continue
		}
		if r.embedded != nil {
			return p.reason(r.embedded(a.As16()))
		}
		return r.reason
	}
	if !p.global.Contains(a) {
		return reasonReserved
	}
	return ""
}

// permit returns why the connection to a on port, made for the URL host
// host, must be refused, or "" when it may proceed. Loopback is permitted
// only for an exact AllowLoopback entry, and never on the Runtime API port;
// an allow-listed host must really be loopback.
func (p *policy) permit(host string, a netip.Addr, port uint16) string {
	ps := strconv.FormatUint(uint64(port), 10)
	listed := p.allowed(host, ps)
	loopback := a.Zone() == "" && a.Unmap().IsLoopback()
	switch {
	case loopback && p.deniedPorts[port]:
		return reasonLoopback
	case loopback && listed:
		return ""
	case listed:
		if r := p.reason(a); r != "" {
			return r
		}
		return reasonNotLoopback
	}
	return p.reason(a)
}
