package outbound

import (
	"net/netip"
	"testing"
)

func TestReason(t *testing.T) {
	p := newPolicy(nil, "")
	tests := []struct {
		addr string
		want string
	}{
		// IPv4 ranges.
		{"127.0.0.1", reasonLoopback},
		{"127.255.255.254", reasonLoopback},
		{"0.0.0.0", reasonUnspecified},
		{"0.1.2.3", reasonUnspecified},
		{"10.0.0.1", reasonPrivate},
		{"172.16.0.1", reasonPrivate},
		{"172.31.255.255", reasonPrivate},
		{"192.168.1.1", reasonPrivate},
		{"100.64.0.1", reasonShared},
		{"100.100.100.200", reasonShared},
		{"169.254.169.254", reasonLinkLocal}, // instance metadata
		{"169.254.170.2", reasonLinkLocal},   // container credentials
		{"192.0.0.170", reasonReserved},
		{"198.18.0.1", reasonReserved},
		{"198.19.255.255", reasonReserved},
		{"192.0.2.1", reasonReserved},
		{"224.0.0.1", reasonMulticast},
		{"239.255.255.250", reasonMulticast},
		{"255.255.255.255", reasonBroadcast},
		{"240.0.0.1", reasonReserved},
		// IPv6 ranges.
		{"::1", reasonLoopback},
		{"::", reasonUnspecified},
		{"fe80::1", reasonLinkLocal},
		{"fe80::1%eth0", reasonScoped},
		{"fd00:ec2::254", reasonPrivate}, // IPv6 instance metadata
		{"fc00::1", reasonPrivate},
		{"fec0::1", reasonPrivate},
		{"ff02::1", reasonMulticast},
		{"::ffff:127.0.0.1", reasonLoopback},
		{"::ffff:169.254.169.254", reasonLinkLocal},
		{"::ffff:10.0.0.1", reasonPrivate},
		{"::127.0.0.1", reasonReserved}, // IPv4-compatible
		{"::8.8.8.8", reasonReserved},
		{"::ffff:0:7f00:1", reasonReserved}, // IPv4-translated
		{"64:ff9b::7f00:1", reasonLoopback},
		{"64:ff9b::a9fe:a9fe", reasonLinkLocal},
		{"64:ff9b::c0a8:101", reasonPrivate},
		{"64:ff9b:1::1", reasonReserved},
		{"2002:7f00:1::", reasonLoopback},
		{"2002:a9fe:a9fe::1", reasonLinkLocal},
		{"2002:0a00:0001::1", reasonPrivate},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", reasonReserved}, // Teredo
		{"2001:db8::1", reasonReserved},
		{"100::1", reasonReserved},
		{"3fff::1", reasonReserved},
		{"4000::1", reasonReserved}, // outside global unicast
		// Public addresses pass.
		{"8.8.8.8", ""},
		{"93.184.215.14", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"::ffff:8.8.8.8", ""},
		{"2606:4700:4700::1111", ""},
		{"64:ff9b::808:808", ""},
		{"2002:808:808::1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := p.reason(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Fatalf("reason(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

func TestPermit(t *testing.T) {
	allow := []string{"127.0.0.1:8080", "mock.test:8081", "[::1]:8082", "local.test", "127.0.0.1:9001", "127.0.0.1:9100"}
	p := newPolicy(allow, "127.0.0.1:9100")
	tests := []struct {
		name string
		host string
		addr string
		port uint16
		want string
	}{
		{"listed literal", "127.0.0.1", "127.0.0.1", 8080, ""},
		{"listed literal other port", "127.0.0.1", "127.0.0.1", 8079, reasonLoopback},
		{"listed name on loopback", "mock.test", "127.0.0.1", 8081, ""},
		{"listed name case-insensitive", "MOCK.test", "127.0.0.1", 8081, ""},
		{"listed name other port", "mock.test", "127.0.0.1", 8080, reasonLoopback},
		{"listed name resolving private", "mock.test", "10.0.0.8", 8081, reasonPrivate},
		{"listed name resolving public", "mock.test", "93.184.215.14", 8081, reasonNotLoopback},
		{"listed name resolving unspecified", "mock.test", "0.0.0.0", 8081, reasonUnspecified},
		{"listed IPv6", "::1", "::1", 8082, ""},
		{"listed IPv6 non-canonical", "0:0::1", "::1", 8082, ""},
		{"host entry default http port", "local.test", "127.0.0.1", 80, ""},
		{"host entry default https port", "local.test", "127.0.0.1", 443, ""},
		{"host entry other port", "local.test", "127.0.0.1", 8080, reasonLoopback},
		{"lambda runtime port even if listed", "127.0.0.1", "127.0.0.1", 9001, reasonLoopback},
		{"configured runtime port even if listed", "127.0.0.1", "127.0.0.1", 9100, reasonLoopback},
		{"unlisted name on loopback", "other.test", "127.0.0.1", 8080, reasonLoopback},
		{"unlisted public", "api.example", "8.8.8.8", 443, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.permit(tt.host, netip.MustParseAddr(tt.addr), tt.port); got != tt.want {
				t.Fatalf("permit(%s, %s, %d) = %q, want %q", tt.host, tt.addr, tt.port, got, tt.want)
			}
		})
	}
}
