// Package id makes Tollgate's identifiers: random, fixed-length, lower-case and
// free of '#', so an ID is never a prefix of another and is valid as an AWS
// session tag value (DESIGN §3).
package id

import (
	"crypto/rand"
	"strings"
)

// alphabet is Crockford's base32 in lower case: no i, l, o or u, so IDs are
// unambiguous when read aloud or copied by hand.
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// RandomLen is the number of random characters in every ID (100 bits).
const RandomLen = 20

// Prefixes name what an ID identifies, so a misplaced ID is obvious in logs.
const (
	Org       = "org_"
	Workspace = "ws_"
	Token     = "tok_"
	Key       = "key_"
	Request   = "req_"
	Trace     = "trc_"
	Member    = "usr_"
)

// New returns prefix followed by RandomLen random characters.
func New(prefix string) string {
	var raw [RandomLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("id: crypto/rand failed: " + err.Error()) // unreachable on supported platforms
	}
	var b strings.Builder
	b.Grow(len(prefix) + RandomLen)
	b.WriteString(prefix)
	for _, c := range raw {
		b.WriteByte(alphabet[c&31])
	}
	return b.String()
}

// Valid reports whether s is an ID made by New with the given prefix.
func Valid(prefix, s string) bool {
	if len(s) != len(prefix)+RandomLen || !strings.HasPrefix(s, prefix) {
		return false
	}
	for i := len(prefix); i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
