// Package throttle lets an instance do a per-key chore at most once per
// interval — recording a token's last use, reading a budget for alerts —
// so bookkeeping that rides on every request costs one store call per key
// and minute, not one per request.
package throttle

import (
	"sync"
	"time"
)

// maxKeys bounds the memory; past it the table starts over, which costs at
// most one early repeat per key.
const maxKeys = 10_000

// Every remembers when each key's chore was last due. It is safe for
// concurrent use.
type Every struct {
	interval time.Duration

	mu   sync.Mutex
	last map[string]time.Time
}

// New returns an Every for interval.
func New(interval time.Duration) *Every {
	return &Every{interval: interval, last: map[string]time.Time{}}
}

// Due reports whether key's chore is due at now and, if it is, counts it
// as done. A clock that went backwards makes it due.
func (e *Every) Due(key string, now time.Time) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if at, ok := e.last[key]; ok && now.Sub(at) < e.interval && !now.Before(at) {
		return false
	}
	if len(e.last) >= maxKeys {
		e.last = map[string]time.Time{}
	}
	e.last[key] = now
	return true
}
