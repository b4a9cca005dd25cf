package shadow

import (
	"crypto/sha256"
	"encoding/binary"
)

// sampleSalt separates this hash from any other use of request IDs, so the
// shadow decision is independent of, say, a trace sampling decision.
const sampleSalt = "tollgate/shadow\x00"

// Sampled reports whether the call with requestID is shadow-sampled at
// percent (0-100; values outside clamp, so 0 or less never samples and 100
// or more always does).
//
// The decision is a hash of the request ID, not a random draw: a retried or
// replayed request decides the same, every gateway instance agrees without
// shared state, and raising the percent only adds requests (a request
// sampled at p is sampled at every q > p).
func Sampled(requestID string, percent int64) bool {
	switch {
	case percent <= 0:
		return false
	case percent >= 100:
		return true
	}
	sum := sha256.Sum256([]byte(sampleSalt + requestID))
	// 2^64 mod 100 skews the buckets by under 1e-17: nothing to correct.
	return binary.BigEndian.Uint64(sum[:8])%100 < uint64(percent)
}
