// Package scrub finds and redacts credential-shaped text (DESIGN §4, §6).
//
// Tollgate holds its tenants' provider keys and its own API tokens, and its
// logs, traces and error messages pass through places where a key could hide:
// an upstream error body that echoes the key, a header map printed with %v, a
// presigned URL, a connection string. String replaces every such substring
// with [REDACTED:<kind>] and leaves the text around it intact, so a log line
// stays useful and a leak is visible as a redaction rather than as a secret.
//
// The shapes follow the public rule sets of gitleaks, GitHub secret scanning
// and trufflehog: typed prefixes (sk-, sk-ant-, AKIA, AIza, ghp_, xoxb-, tgk_,
// ...) matched with token boundaries, and keyword-anchored values (api_key=,
// "SecretAccessKey":, Authorization: Bearer, ?key=, userinfo passwords, PEM
// private key blocks). Ordinary words, UUIDs, Tollgate IDs and bare hex
// digests are left alone.
//
// Most text holds no secret, so String first looks for the literal hints
// that begin every match (sk-, AKIA, api_key=, bearer, ://, ...) with one
// table lookup per byte, and returns the text untouched, without allocating,
// when there are none. A rule's anchored expression is then tried only where
// one of its hints occurs, so the cost follows the length of the text and
// of its matches rather than the number of rules.
package scrub
