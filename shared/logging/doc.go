// Package logging is Tollgate's structured logging: log/slog JSON with the
// credential scrubber built into the handler (DESIGN §6), so no call site
// has to remember to scrub and no field can carry a secret into the logs.
//
// The handler scrubs the message and every attribute value, at any depth:
// strings, errors (their Error text), fmt.Stringers (their String text),
// []byte (logged as text, not base64, so the scrubber can read it), groups,
// LogValuers (resolved first), and any other value, which is encoded as JSON
// with every string in it scrubbed. A value that cannot be encoded as JSON is
// logged as its %+v text, scrubbed. Keys and group names are scrubbed too.
// Attributes added with WithAttrs are scrubbed once, when added.
//
// An attribute, struct field or map entry whose key names a secret
// (authorization, api_key, password, token, cookie, provider_key, ...) has
// its value replaced by [REDACTED] whatever it holds, and so does every
// attribute inside a group with such a name.
package logging
