package outbound

import (
	"net/netip"
	"strconv"
	"strings"
)

// endsInNumber reports whether host's last label is a number (decimal or
// 0x-hex). No top-level domain is numeric, so such a host is an IPv4 address
// in some spelling, and resolvers built on inet_aton treat it as one.
func endsInNumber(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if len(last) >= 2 && (last[:2] == "0x" || last[:2] == "0X") {
		return strings.Trim(last[2:], "0123456789abcdefABCDEF") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// parseAton reads an IPv4 address the way inet_aton(3) does: one to four
// parts separated by dots, each decimal, octal (leading 0) or hex (0x), the
// last part filling the remaining bytes. So 2130706433, 0177.0.0.1,
// 0x7f.0.0.1 and 127.1 are all 127.0.0.1. One trailing dot is accepted, as
// URL parsers do.
func parseAton(s string) (netip.Addr, bool) {
	parts := strings.Split(strings.TrimSuffix(s, "."), ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var vals [4]uint64
	for i, part := range parts {
		v, ok := parseAtonPart(part)
		if !ok {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	n := len(parts)
	for _, v := range vals[:n-1] {
		if v > 0xff {
			return netip.Addr{}, false
		}
	}
	if vals[n-1] > 1<<(8*(5-n))-1 {
		return netip.Addr{}, false
	}
	var ip uint32
	for i, v := range vals[:n-1] {
		ip |= uint32(v) << (24 - 8*i)
	}
	ip |= uint32(vals[n-1])
	return netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}), true
}

func parseAtonPart(p string) (uint64, bool) {
	if p == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
		base, p = 16, p[2:]
		if p == "" {
			return 0, true // inet_aton reads a bare "0x" as zero
		}
	case len(p) >= 2 && p[0] == '0':
		base, p = 8, p[1:]
	}
	v, err := strconv.ParseUint(p, base, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}
