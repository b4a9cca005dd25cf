package scrub

import (
	"encoding/base64"
	"strings"
)

// alnum reports whether c is an ASCII letter or digit.
func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// tokenByte reports whether c can appear in a prefixed API token.
func tokenByte(c byte) bool { return alnum(c) || c == '_' || c == '-' }

// base64Byte reports whether c can appear in standard base64 without padding.
func base64Byte(c byte) bool { return alnum(c) || c == '+' || c == '/' }

// placeholders are values a secret-named field holds when it holds no secret.
var placeholders = []string{"null", "nil", "none", "true", "false", "undefined"}

// notPlaceholder reports whether v is a value rather than an empty marker, so
// that "password": null or has_password=false are not reported as leaks.
func notPlaceholder(v string) bool {
	for _, p := range placeholders {
		if strings.EqualFold(v, p) {
			return false
		}
	}
	return true
}

// longValue accepts values of a field named *token that are long enough to be
// a credential; shorter ones are counts or words ("max_token: 4096",
// "token: expired").
func longValue(v string) bool { return len(v) >= 8 && notPlaceholder(v) }

// opaqueToken accepts the word after "Bearer" when it looks like a token
// rather than prose ("Bearer tokens are ..."): long, or holding a digit or
// punctuation that words lack.
func opaqueToken(v string) bool {
	if len(v) < 8 {
		return false
	}
	return len(v) >= 24 || strings.ContainsAny(v, "0123456789._~+/-=")
}

// basicCredentials accepts the word after "Basic" when it is base64 of
// user:password, as RFC 7617 defines, so "Basic usage" is left alone.
func basicCredentials(v string) bool {
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "="))
	}
	return err == nil && strings.IndexByte(string(raw), ':') > 0
}
