package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// dialContext is the transport's only way to open a connection. It resolves
// the host itself, refuses the whole answer if any address in it is blocked
// (a mixed answer is a rebinding attempt, not a fallback), and dials the
// checked addresses as literals so nothing resolves the name again. The
// dialer's Control hook checks once more the address the socket really
// connects to.
func (c *Client) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("split dial address: %w", err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		return nil, invalidURL("port is not valid")
	}
	ctx, cancel := context.WithTimeout(ctx, c.dialTimeout)
	defer cancel()

	addrs, err := c.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if r := c.policy.permit(host, a, uint16(port)); r != "" {
			return nil, blocked(r, fmt.Errorf("dial %s: %s resolves to %s", address, host, a))
		}
	}
	var errs []error
	for _, a := range addrs {
		d := &net.Dialer{
			Timeout:   c.dialTimeout,
			KeepAlive: keepAlive,
			Control:   c.control(host),
		}
		conn, err := c.connect(ctx, d, network, netip.AddrPortFrom(a.Unmap(), uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		var refused *apperr.Error
		if errors.As(err, &refused) || ctx.Err() != nil {
			return nil, err
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// resolve returns host's addresses: the host itself when it is an IP in any
// spelling inet_aton accepts (so a numeric host never reaches a resolver
// that might read it differently), else the resolver's answer.
func (c *Client) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if endsInNumber(host) {
		a, ok := parseAton(host)
		if !ok {
			return nil, invalidURL("host must be a DNS name or a canonical IP address")
		}
		return []netip.Addr{a}, nil
	}
	answer, err := c.resolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(answer) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	addrs := make([]netip.Addr, 0, len(answer))
	for _, ia := range answer {
		a, ok := netip.AddrFromSlice(ia.IP)
		if !ok {
			return nil, fmt.Errorf("resolve %s: malformed address in answer", host)
		}
		addrs = append(addrs, a.WithZone(ia.Zone))
	}
	return addrs, nil
}

// control is the last line: it runs after the socket is created and before
// connect(2), with the literal address being connected to, and refuses it
// under the same rules. It catches any path that hands the dialer an
// address the checks above did not see.
func (c *Client) control(host string) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return blocked(reasonReserved, fmt.Errorf("connect %s: unparsable address", network))
		}
		if r := c.policy.permit(host, ap.Addr(), ap.Port()); r != "" {
			return blocked(r, fmt.Errorf("connect %s %s for %s", network, ap, host))
		}
		return nil
	}
}
