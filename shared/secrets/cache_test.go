package secrets

import (
	"bytes"
	"testing"
	"time"
)

func TestKeyCacheBoundsAndExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newKeyCache(2, time.Minute, func() time.Time { return now })
	for i, org := range []string{"a", "b", "c"} {
		c.put(org, dataKey{id: "k", plain: []byte{byte(i)}})
		now = now.Add(time.Second)
	}
	if c.len() != 2 {
		t.Fatalf("cache holds %d keys, bound is 2", c.len())
	}
	if _, ok := c.get("a", "k"); ok {
		t.Fatal("oldest key not evicted")
	}
	got, ok := c.get("c", "k")
	if !ok || !bytes.Equal(got.plain, []byte{2}) {
		t.Fatal("newest key lost")
	}
	got.plain[0] = 9 // callers get a copy
	again, _ := c.get("c", "k")
	if again.plain[0] != 2 {
		t.Fatal("cache handed out its own bytes")
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.get("c", "k"); ok {
		t.Fatal("expired key served")
	}
}
