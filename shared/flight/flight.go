// Package flight collapses concurrent loads of the same key into one, so a
// cold instance hit by a burst makes one lookup per key instead of one per
// request (a thundering herd that would itself trip fail-closed deadlines).
package flight

import (
	"context"
	"sync"
)

// Group runs at most one load per key at a time. The zero value is ready.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*result[V]
}

type result[V any] struct {
	done    chan struct{}
	v       V
	err     error
	waiters int // callers sharing this load, for observability and tests
}

// Do returns the result of load for key, sharing one in-flight call among
// concurrent callers. A caller whose ctx ends stops waiting; the load goes on
// for the others under the ctx of the caller that started it.
func (g *Group[K, V]) Do(ctx context.Context, key K, load func() (V, error)) (V, error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = make(map[K]*result[V])
	}
	if r, ok := g.calls[key]; ok {
		r.waiters++
		g.mu.Unlock()
		select {
		case <-r.done:
			return r.v, r.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	r := &result[V]{done: make(chan struct{})}
	g.calls[key] = r
	g.mu.Unlock()

	r.v, r.err = load()
	g.mu.Lock()
	delete(g.calls, key)
	g.mu.Unlock()
	close(r.done)
	return r.v, r.err
}
