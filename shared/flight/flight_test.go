package flight

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// waitersOf reports how many callers are sharing key's in-flight load.
func (g *Group[K, V]) waitersOf(key K) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r, ok := g.calls[key]; ok {
		return r.waiters
	}
	return -1
}

func TestConcurrentCallersShareOneLoad(t *testing.T) {
	var g Group[string, int]
	release := make(chan struct{})
	started := make(chan struct{})
	first := make(chan int)
	go func() {
		v, _ := g.Do(context.Background(), "k", func() (int, error) {
			close(started)
			<-release
			return 42, nil
		})
		first <- v
	}()
	<-started
	var wg sync.WaitGroup
	results := make([]int, 19)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = g.Do(context.Background(), "k", func() (int, error) {
				t.Error("a second load ran while the first was in flight")
				return 0, nil
			})
		}()
	}
	for g.waitersOf("k") < len(results) {
		// Spin until every caller has joined the blocked flight.
	}
	close(release)
	wg.Wait()
	if <-first != 42 {
		t.Fatal("first caller lost its result")
	}
	for _, r := range results {
		if r != 42 {
			t.Fatalf("a waiter got %d", r)
		}
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
	started := make(chan struct{})
	go g.Do(context.Background(), "k", func() (int, error) { close(started); <-block; return 1, nil })
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Do(ctx, "k", func() (int, error) { return 2, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	close(block)
}
