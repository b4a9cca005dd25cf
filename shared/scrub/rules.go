package scrub

// Fragments shared by the keyword-anchored rules. A key may be quoted, and
// JSON-escaped quotes (\") appear when a JSON document is itself logged as a
// string; Go's %v of a map or http.Header puts the value in brackets.
const (
	// sep is what joins a key to its value on one line: "key": , key=,
	// Key:[ ...
	sep = `\\?["']?[ \t]*[:=][ \t]*\[?`
	// openQuote is the optional quote before an unquoted value.
	openQuote = `\\?["']?`
	// bareStop are the delimiters of JSON, query strings, headers and Go's
	// %v output, which end an unquoted value.
	bareStop = `\s"'\\,;&<>\[\]{}()`
)

// kvValue matches a value: a double-quoted string with escapes, a
// single-quoted string, or a bare word ending at bareStop or at any of
// extraStop.
func kvValue(extraStop string) string {
	return `(?:"((?:[^"\\\r\n]|\\.)+)"|'([^'\r\n]+)'|` + openQuote + `([^` + bareStop + extraStop + `]+))`
}

// sepStart holds every byte that can follow a key in sep. Keyword rules
// require one right after the keyword, so keys such as tokens_in or
// api_key_id never cost a regular expression.
const sepStart = "\\\"': =\t"

// keyValue builds a rule for the value of any key whose name ends in one of
// keywords (x-api-key, OPENAI_API_KEY, "SessionToken", client_secret): the
// rule is tried at the keyword, wherever it sits in the key. words are the
// literal spellings of keywords. A bare value also ends at extraStop: an @
// ends a token in a URL's userinfo (https://x-access-token:<token>@github.com)
// but is common in passwords.
func keyValue(kind, keywords, extraStop string, words []string, valid func(string) bool) rule {
	return rule{
		kind:   kind,
		hints:  words,
		follow: sepStart,
		re:     anchored(`(?i)(?:` + keywords + `)` + sep + kvValue(extraStop)),
		valid:  valid,
	}
}

// rules are the shapes String redacts, most specific first: when two rules
// find overlapping text, the earlier one names the redaction. Every pattern
// starts with one of its rule's hints.
var rules = []rule{
	{
		kind:  "private_key",
		hints: []string{"-----BEGIN"},
		// A truncated block (no END line) is redacted to the end of the text.
		re: anchored(`(?s)-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|\z)`),
	},
	{
		kind:  "anthropic_key",
		hints: []string{"sk-ant-"},
		re:    anchored(`sk-ant-(?:api|admin|oat|sid)[0-9]{2}-[A-Za-z0-9_-]{32,}`),
		edge:  tokenByte,
	},
	{
		kind:  "openrouter_key",
		hints: []string{"sk-or-"},
		re:    anchored(`sk-or-v[0-9]+-[0-9a-f]{64}`),
		edge:  tokenByte,
	},
	{
		// Legacy keys are sk- and 48 alphanumerics; project, service account
		// and admin keys are longer and may hold - and _. Many
		// OpenAI-compatible providers issue sk- keys of 32 or more.
		kind:  "openai_key",
		hints: []string{"sk-"},
		re:    anchored(`sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{32,}|[A-Za-z0-9]{32,})`),
		edge:  tokenByte,
	},
	{
		kind:  "huggingface_token",
		hints: []string{"hf_"},
		re:    anchored(`hf_[A-Za-z0-9]{34}`),
		edge:  tokenByte,
	},
	{
		kind:  "groq_key",
		hints: []string{"gsk_"},
		re:    anchored(`gsk_[A-Za-z0-9]{52}`),
		edge:  tokenByte,
	},
	{
		kind:  "xai_key",
		hints: []string{"xai-"},
		re:    anchored(`xai-[A-Za-z0-9]{80}`),
		edge:  tokenByte,
	},
	{
		kind:  "stripe_key",
		hints: []string{"sk_live_", "rk_live_", "sk_test_", "rk_test_"},
		re:    anchored(`[sr]k_(?:live|test)_[A-Za-z0-9]{16,}`),
		edge:  tokenByte,
	},
	{
		// Tollgate's own API tokens (DESIGN §4): tgk_ and 40 base62.
		kind:  "tollgate_token",
		hints: []string{"tgk_"},
		re:    anchored(`tgk_[A-Za-z0-9]{40}`),
		edge:  tokenByte,
	},
	{
		kind:  "github_token",
		hints: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
		re:    anchored(`gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}`),
		edge:  tokenByte,
	},
	{
		kind:  "slack_token",
		hints: []string{"xox", "xapp-"},
		re:    anchored(`xox[abposre]-[0-9]+-[A-Za-z0-9-]{10,}|xapp-[0-9]+-[A-Za-z0-9-]{10,}`),
		edge:  tokenByte,
	},
	{
		// The path is the secret; the host stays so the line still says
		// where the call went.
		kind:  "slack_webhook",
		hints: []string{"hooks.slack.com/"},
		re:    anchored(`(?i)hooks\.slack\.com/((?:services|workflows|triggers)/[a-z0-9+/_-]{20,})`),
	},
	{
		kind:  "google_api_key",
		hints: []string{"AIza"},
		re:    anchored(`AIza[0-9A-Za-z_-]{35}`),
		edge:  tokenByte,
	},
	{
		kind:  "aws_access_key_id",
		hints: []string{"AKIA", "ASIA", "ABIA", "ACCA", "A3T"},
		re:    anchored(`(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}`),
		edge:  alnum,
	},
	{
		kind:  "jwt",
		hints: []string{"eyJ"},
		re:    anchored(`eyJ[A-Za-z0-9_-]{8,}\.ey[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`),
		edge:  tokenByte,
	},
	{
		// A secret access key has no prefix; only its key name gives it
		// away (aws_secret_access_key, "SecretAccessKey", secret_key).
		kind:  "aws_secret_key",
		hints: []string{"secret"},
		re:    anchored(`(?i)secret[_-]?(?:access[_-]?)?key` + sep + openQuote + `([a-z0-9/+]{40})`),
		edge:  base64Byte,
	},
	{
		kind:  "aws_session_token",
		hints: []string{"session", "security"},
		re:    anchored(`(?i)(?:session|security)[_-]?token` + sep + openQuote + `([a-z0-9/+=%]{16,})`),
	},
	{
		kind:   "aws_signature",
		hints:  []string{"signature="},
		re:     anchored(`(?i)signature=([0-9a-f]{64})`),
		before: wordStart,
		edge:   alnum,
	},
	{
		kind:  "url_password",
		hints: []string{"://"},
		re:    anchored(`://[^/\s:@"'<>\\]*:([^/\s"'<>\\?#]+)@`),
	},
	{
		kind:   "bearer_token",
		hints:  []string{"bearer"},
		re:     anchored(`(?i)bearer\s+([a-z0-9._~+/-]+=*)`),
		before: wordStart,
		valid:  opaqueToken,
	},
	{
		kind:   "basic_auth",
		hints:  []string{"basic"},
		re:     anchored(`(?i)basic\s+([a-z0-9+/]{4,}={0,2})`),
		before: wordStart,
		valid:  basicCredentials,
	},
	{
		// Any other scheme (Token, Digest, AWS4-HMAC-SHA256) or none: the
		// scheme word stays, the credential goes.
		kind:   "authorization",
		hints:  []string{"authorization"},
		re:     anchored(`(?i)authorization` + sep + openQuote + `(?:[a-z][a-z0-9-]*\s+)?([^\s"'\\\],;]+)`),
		before: wordStart,
		valid:  notPlaceholder,
	},
	{
		// The whole header value: a cookie string is a list of credentials.
		kind:   "cookie",
		hints:  []string{"cookie"},
		re:     anchored(`(?i)cookie` + sep + openQuote + `([^\r\n"'\\\[\]]*[^\s"'\\\[\]])`),
		before: wordStart,
	},
	keyValue("api_key", `api[_-]?key|subscription[_-]?key`, "@",
		[]string{"apikey", "api_key", "api-key", "subscriptionkey", "subscription_key", "subscription-key"}, notPlaceholder),
	keyValue("password", `pass(?:word|wd|phrase)`, "",
		[]string{"password", "passwd", "passphrase"}, notPlaceholder),
	keyValue("secret", `secret(?:[_-]?access)?(?:[_-]?key)?|private[_-]?key`, "@",
		[]string{"secret", "secretkey", "secret_key", "secret-key", "secretaccesskey", "secret_access_key",
			"secret-access-key", "secret_accesskey", "secret-accesskey", "secretaccess_key", "secretaccess-key",
			"privatekey", "private_key", "private-key"}, notPlaceholder),
	keyValue("token", `token`, "@",
		[]string{"token"}, longValue),
	{
		// Short parameter names are secrets only in a query string.
		kind: "url_query_secret",
		hints: []string{"key=", "api_key=", "api-key=", "apikey=", "sig=", "signature=", "code=",
			"token=", "access_token=", "refresh_token=", "id_token=", "client_secret=", "secret=",
			"password=", "passwd=", "x-amz-signature=", "x-amz-credential=", "x-amz-security-token="},
		re: anchored(`(?i)(?:x-amz-(?:signature|credential|security-token)|api[_-]?key|key|sig|signature|code|` +
			`(?:access|refresh|id)_token|token|client_secret|secret|passw(?:or)?d)=([^&#\s"'<>\\]+)`),
		before: queryParam,
	},
}

// filter finds where in a text each rule can match.
var filter = newPrefilter(rules)
