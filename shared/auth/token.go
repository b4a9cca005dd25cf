package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Token format.
const (
	Prefix     = "tgk_"
	secretLen  = 40
	TokenLen   = len(Prefix) + secretLen
	base62     = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	displayLen = len(Prefix) + 6
)

// Scopes a token may carry.
const (
	ScopeInference = "inference" // call the gateway
	ScopeIngest    = "ingest"    // send traces
	ScopeRead      = "read"      // read management data
	ScopeAdmin     = "admin"     // change management data
)

// AllScopes lists the valid scopes.
var AllScopes = []string{ScopeInference, ScopeIngest, ScopeRead, ScopeAdmin}

// NewToken returns a fresh random token. Show it once; store only Hash(token).
func NewToken() string {
	var b strings.Builder
	b.Grow(TokenLen)
	b.WriteString(Prefix)
	buf := make([]byte, 64)
	for b.Len() < TokenLen {
		if _, err := rand.Read(buf); err != nil {
			panic("auth: crypto/rand failed: " + err.Error())
		}
		for _, c := range buf {
			if c >= 248 { // 248 = 62*4: reject to keep the distribution uniform
				continue
			}
			b.WriteByte(base62[c%62])
			if b.Len() == TokenLen {
				break
			}
		}
	}
	return b.String()
}

// WellFormed reports whether s has the token shape, without any lookup.
func WellFormed(s string) bool {
	if len(s) != TokenLen || !strings.HasPrefix(s, Prefix) {
		return false
	}
	for i := len(Prefix); i < len(s); i++ {
		if strings.IndexByte(base62, s[i]) < 0 {
			return false
		}
	}
	return true
}

// Hash is the stored form of a token.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Display returns the token's non-secret prefix, shown in listings so people
// can tell their tokens apart.
func Display(token string) string {
	if len(token) < displayLen {
		return Prefix
	}
	return token[:displayLen]
}

// LookupPK is the partition key of a token's global lookup item.
func LookupPK(hash string) string { return "TOKEN#" + hash }

// LookupSK is the sort key of every token lookup item.
const LookupSK = "TOKEN"
