package throttle

import (
	"fmt"
	"testing"
	"time"
)

func TestDue(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	e := New(time.Minute)
	for _, c := range []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true},
		{"a", 30 * time.Second, false},
		{"b", 30 * time.Second, true},
		{"a", 61 * time.Second, true},
		{"a", 90 * time.Second, false},
		{"a", 10 * time.Second, true}, // the clock went backwards
	} {
		if got := e.Due(c.key, t0.Add(c.at)); got != c.want {
			t.Errorf("%s at %s: %v", c.key, c.at, got)
		}
	}
}

func TestBounded(t *testing.T) {
	e := New(time.Hour)
	now := time.Now()
	for i := 0; i < maxKeys+5; i++ {
		e.Due(fmt.Sprint(i), now)
	}
	if len(e.last) > maxKeys {
		t.Fatalf("%d keys kept", len(e.last))
	}
}
