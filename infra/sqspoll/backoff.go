package sqspoll

import (
	"context"
	"time"
)

// Receive retry delays: short enough that a restarted emulator is picked up
// at once, doubling so that a dead one is not hammered.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// backoff is the delay before the next receive after consecutive failures.
type backoff struct{ d time.Duration }

// next returns the delay to wait now and doubles the following one.
func (b *backoff) next() time.Duration {
	switch {
	case b.d == 0:
		b.d = minBackoff
	case b.d < maxBackoff:
		b.d = min(2*b.d, maxBackoff)
	}
	return b.d
}

// reset starts over after a successful receive.
func (b *backoff) reset() { b.d = 0 }

// sleep waits d or until ctx ends; it reports whether the full delay passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
