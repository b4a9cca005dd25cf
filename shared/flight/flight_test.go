package flight

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestConcurrentCallersShareOneLoad(t *testing.T) {
	var g Group[string, int]
	var loads atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]int, 20)
	started := make(chan struct{})
	var once sync.Once
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = g.Do(context.Background(), "k", func() (int, error) {
				loads.Add(1)
				once.Do(func() { close(started) })
				<-release
				return 42, nil
			})
		}()
	}
	<-started
	close(release)
	wg.Wait()
	for _, r := range results {
		if r != 42 {
			t.Fatalf("got %d", r)
		}
	}
	// Without sharing every caller loads (20); callers that arrive while the
	// first load is blocked must share it.
	if n := loads.Load(); n < 1 || n >= 20 {
		t.Fatalf("loads = %d for 20 concurrent callers", n)
	}
	// After the flight lands, a new call loads again.
	v, err := g.Do(context.Background(), "k", func() (int, error) { return 7, errors.New("x") })
	if v != 7 || err == nil {
		t.Fatal("result of a finished flight was reused")
	}
}

func TestWaiterStopsOnItsContext(t *testing.T) {
	var g Group[string, int]
	block := make(chan struct{})
	go g.Do(context.Background(), "k", func() (int, error) { <-block; return 1, nil })
	for {
		g.mu.Lock()
		n := len(g.calls)
		g.mu.Unlock()
		if n == 1 {
			break
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Do(ctx, "k", func() (int, error) { return 2, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	close(block)
}
