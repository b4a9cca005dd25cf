package scrub

import "regexp"

// Fragments shared by the keyword-anchored rules. A key may be quoted, and
// JSON-escaped quotes (\") appear when a JSON document is itself logged as a
// string; Go's %v of a map or http.Header puts the value in brackets.
const (
	// sep is what joins a key to its value: "key": , key=, Key:[ ...
	sep = `\\?["']?\s*[:=]\s*\[?`
	// openQuote is the optional quote before an unquoted-branch value.
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

// keyValue builds a rule for the value of any key whose name ends in one of
// keywords (x-api-key, OPENAI_API_KEY, "SessionToken", client_secret). A bare
// value also ends at extraStop: an @ ends a token in a URL's userinfo
// (https://x-access-token:<token>@github.com), but is common in passwords.
func keyValue(kind, keywords, extraStop string, hints []string, valid func(string) bool) rule {
	return rule{
		kind:  kind,
		hints: hints,
		re:    regexp.MustCompile(`(?i)(?:^|[^a-z0-9_.-])[a-z0-9_.-]*?(?:` + keywords + `)` + sep + kvValue(extraStop)),
		valid: valid,
	}
}

// rules are the shapes String redacts, most specific first: when two rules
// find overlapping text, the earlier one names the redaction.
var rules = []rule{
	{
		kind:  "private_key",
		hints: []string{"-----begin"},
		// A truncated block (no END line) is redacted to the end of the text.
		re: regexp.MustCompile(`(?s)-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|\z)`),
	},
	{
		kind:  "anthropic_key",
		hints: []string{"sk-ant-"},
		re:    regexp.MustCompile(`sk-ant-(?:api|admin|oat|sid)[0-9]{2}-[A-Za-z0-9_-]{32,}`),
		edge:  tokenByte,
	},
	{
		kind:  "openrouter_key",
		hints: []string{"sk-or-"},
		re:    regexp.MustCompile(`sk-or-v[0-9]+-[0-9a-f]{64}`),
		edge:  tokenByte,
	},
	{
		// Legacy keys are sk- and 48 alphanumerics; project, service account
		// and admin keys are longer and may hold - and _. Many
		// OpenAI-compatible providers issue sk- keys of 32 or more.
		kind:  "openai_key",
		hints: []string{"sk-"},
		re:    regexp.MustCompile(`sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{32,}|[A-Za-z0-9]{32,})`),
		edge:  tokenByte,
	},
	{
		kind:  "huggingface_token",
		hints: []string{"hf_"},
		re:    regexp.MustCompile(`hf_[A-Za-z0-9]{34}`),
		edge:  tokenByte,
	},
	{
		kind:  "groq_key",
		hints: []string{"gsk_"},
		re:    regexp.MustCompile(`gsk_[A-Za-z0-9]{52}`),
		edge:  tokenByte,
	},
	{
		kind:  "xai_key",
		hints: []string{"xai-"},
		re:    regexp.MustCompile(`xai-[A-Za-z0-9]{80}`),
		edge:  tokenByte,
	},
	{
		kind:  "stripe_key",
		hints: []string{"sk_live_", "rk_live_", "sk_test_", "rk_test_"},
		re:    regexp.MustCompile(`[sr]k_(?:live|test)_[A-Za-z0-9]{16,}`),
		edge:  tokenByte,
	},
	{
		// Tollgate's own API tokens (DESIGN §4): tgk_ and 40 base62.
		kind:  "tollgate_token",
		hints: []string{"tgk_"},
		re:    regexp.MustCompile(`tgk_[A-Za-z0-9]{40}`),
		edge:  tokenByte,
	},
	{
		kind:  "github_token",
		hints: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
		re:    regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}`),
		edge:  tokenByte,
	},
	{
		kind:  "slack_token",
		hints: []string{"xox", "xapp-"},
		re:    regexp.MustCompile(`xox[abposre]-[0-9]+-[A-Za-z0-9-]{10,}|xapp-[0-9]+-[A-Za-z0-9-]{10,}`),
		edge:  tokenByte,
	},
	{
		// The path is the secret; the host stays so the line still says
		// where the call went.
		kind:  "slack_webhook",
		hints: []string{"hooks.slack.com"},
		re:    regexp.MustCompile(`(?i)hooks\.slack\.com/((?:services|workflows|triggers)/[a-z0-9+/_-]{20,})`),
	},
	{
		kind:  "google_api_key",
		hints: []string{"aiza"},
		re:    regexp.MustCompile(`AIza[0-9A-Za-z_-]{35}`),
		edge:  tokenByte,
	},
	{
		kind:  "aws_access_key_id",
		hints: []string{"akia", "asia", "abia", "acca", "a3t"},
		re:    regexp.MustCompile(`(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}`),
		edge:  alnum,
	},
	{
		kind:  "jwt",
		hints: []string{"eyj"},
		re:    regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.ey[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`),
		edge:  tokenByte,
	},
	{
		// A secret access key has no prefix; only its key name gives it away.
		kind:  "aws_secret_key",
		hints: []string{"secret"},
		re:    regexp.MustCompile(`(?i)(?:aws[_-]?)?secret[_-]?(?:access[_-]?)?key` + sep + openQuote + `([a-z0-9/+]{40})`),
		edge:  base64Byte,
	},
	{
		kind:  "aws_session_token",
		hints: []string{"sessiontoken", "session_token", "session-token", "securitytoken", "security_token", "security-token"},
		re:    regexp.MustCompile(`(?i)(?:session|security)[_-]?token` + sep + openQuote + `([a-z0-9/+=%]{16,})`),
	},
	{
		kind:  "aws_signature",
		hints: []string{"signature="},
		re:    regexp.MustCompile(`(?i)(?:^|[^a-z0-9-])(?:x-amz-)?signature=([0-9a-f]{64})`),
		edge:  alnum,
	},
	{
		kind:  "url_password",
		hints: []string{"://"},
		re:    regexp.MustCompile(`(?i)[a-z][a-z0-9+.-]{0,20}://[^/\s:@"'<>\\]*:([^/\s"'<>\\?#]+)@`),
	},
	{
		kind:  "bearer_token",
		hints: []string{"bearer"},
		re:    regexp.MustCompile(`(?i)(?:^|[^a-z0-9])bearer\s+([a-z0-9._~+/-]+=*)`),
		valid: opaqueToken,
	},
	{
		kind:  "basic_auth",
		hints: []string{"basic"},
		re:    regexp.MustCompile(`(?i)(?:^|[^a-z0-9])basic\s+([a-z0-9+/]{4,}={0,2})`),
		valid: basicCredentials,
	},
	{
		// Any other scheme (Token, Digest, AWS4-HMAC-SHA256) or none: the
		// scheme word stays, the credential goes.
		kind:  "authorization",
		hints: []string{"authorization"},
		re:    regexp.MustCompile(`(?i)(?:^|[^a-z0-9])authorization` + sep + openQuote + `(?:[a-z][a-z0-9-]*\s+)?([^\s"'\\\],;]+)`),
		valid: notPlaceholder,
	},
	{
		// The whole header value: a cookie string is a list of credentials.
		kind:  "cookie",
		hints: []string{"cookie"},
		re:    regexp.MustCompile(`(?i)(?:^|[^a-z0-9])cookie` + sep + openQuote + `([^\r\n"'\\\[\]]*[^\s"'\\\[\]])`),
	},
	keyValue("api_key", `api[_-]?key|subscription[_-]?key`, "@",
		[]string{"apikey", "api_key", "api-key", "subscription"}, notPlaceholder),
	keyValue("password", `pass(?:word|wd|phrase)`, "",
		[]string{"passw", "passphrase"}, notPlaceholder),
	keyValue("secret", `secret(?:[_-]?access)?(?:[_-]?key)?|private[_-]?key`, "@",
		[]string{"secret", "private"}, notPlaceholder),
	keyValue("token", `token`, "@",
		[]string{"token"}, longValue),
	{
		// Short parameter names are secrets only in a query string.
		kind:  "url_query_secret",
		hints: []string{"key=", "sig=", "signature=", "code=", "token=", "secret=", "password=", "passwd=", "credential="},
		re:    regexp.MustCompile(`(?i)[?&](?:key|api[_-]?key|sig|signature|code|[a-z_]*token|[a-z_]*secret|password|passwd|x-amz-signature|x-amz-credential|x-amz-security-token)=([^&#\s"'<>\\]+)`),
	},
}

// filter is the prefilter over rules.
var filter = newPrefilter(rules)
