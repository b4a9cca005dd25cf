package logging

// secretSuffixes end the normalized names of keys whose values are secrets.
// Suffixes catch the prefixed forms (openai_api_key, db_password,
// client_secret, x-amz-security-token) without listing them.
var secretSuffixes = []string{
	"authorization",
	"apikey",
	"password", "passwd", "passphrase",
	"secret", "secretkey", "secretaccesskey", "privatekey",
	"providerkey",
	"cookie",
	"sessiontoken", "securitytoken", "accesstoken", "refreshtoken",
	"idtoken", "authtoken", "bearertoken", "apitoken",
}

// secretKey reports whether an attribute or field key names a secret, in
// any case and with -, _, . or spaces between its words: Authorization,
// x-api-key, API_KEY, SessionToken, set-cookie, provider_key. A bare "token"
// is a secret, but token_id, tokens_in and max_tokens are not.
func secretKey(key string) bool {
	var buf [64]byte
	n := normalize(key, buf[:0])
	if string(n) == "token" {
		return true
	}
	for _, s := range secretSuffixes {
		if len(n) >= len(s) && string(n[len(n)-len(s):]) == s {
			return true
		}
	}
	return false
}

// normalize appends key to dst in lower case without separators.
func normalize(key string, dst []byte) []byte {
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
