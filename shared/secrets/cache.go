package secrets

import (
	"sync"
	"time"
)

// keyCache holds plaintext data keys briefly and in bounded number. Evicted
// and expired keys are zeroed.
type keyCache struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	clock func() time.Time
	keys  map[string]cachedKey // org + "/" + keyID
	cur   map[string]cachedCur // org → current key ID
}

type cachedKey struct {
	k       dataKey
	expires time.Time
}

type cachedCur struct {
	keyID   string
	expires time.Time
}

func newKeyCache(max int, ttl time.Duration, clock func() time.Time) *keyCache {
	return &keyCache{max: max, ttl: ttl, clock: clock, keys: map[string]cachedKey{}, cur: map[string]cachedCur{}}
}

func (c *keyCache) get(org, keyID string) (dataKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.keys[org+"/"+keyID]
	if !ok {
		return dataKey{}, false
	}
	if !c.clock().Before(e.expires) {
		c.dropLocked(org + "/" + keyID)
		return dataKey{}, false
	}
	// A copy: eviction zeroes the cached bytes, never a key in use.
	return dataKey{id: e.k.id, plain: append([]byte(nil), e.k.plain...)}, true
}

func (c *keyCache) put(org string, k dataKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock()
	for len(c.keys) >= c.max {
		var victim string
		var soonest time.Time
		for name, e := range c.keys {
			if victim == "" || e.expires.Before(soonest) {
				victim, soonest = name, e.expires
			}
		}
		c.dropLocked(victim)
	}
	c.keys[org+"/"+k.id] = cachedKey{k: dataKey{id: k.id, plain: append([]byte(nil), k.plain...)}, expires: now.Add(c.ttl)}
}

func (c *keyCache) current(org string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.cur[org]
	if !ok || !c.clock().Before(e.expires) {
		delete(c.cur, org)
		return "", false
	}
	return e.keyID, true
}

func (c *keyCache) setCurrent(org, keyID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cur) >= c.max {
		for name := range c.cur {
			delete(c.cur, name)
			break
		}
	}
	c.cur[org] = cachedCur{keyID: keyID, expires: c.clock().Add(c.ttl)}
}

func (c *keyCache) forgetOrg(org string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.cur, org)
	prefix := org + "/"
	for name := range c.keys {
		if len(name) > len(prefix) && name[:len(prefix)] == prefix {
			c.dropLocked(name)
		}
	}
}

func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.keys)
}

func (c *keyCache) dropLocked(name string) {
	if e, ok := c.keys[name]; ok {
		clear(e.k.plain)
		delete(c.keys, name)
	}
}
