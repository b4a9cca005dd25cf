package bench

import (
	"fmt"
	"net"
)

// Peer is a gateway measured beside Tollgate, or the reason it could not
// be. A full run fails on a missing peer; a smoke run records it here.
type Peer struct {
	Name    string
	Version string
	// Missing is why the peer did not run; empty when it did.
	Missing string
	// Notes are what the report must say about how the peer ran.
	Notes []string
}

// freePort returns a loopback port free at the time of the call, for a
// peer that takes its port on the command line.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
