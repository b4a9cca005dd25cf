// Package outbound is the one HTTP client for every call Tollgate makes to
// the outside: providers, judges and webhooks (DESIGN §9).
//
// Tenants may configure an OpenAI-compatible base URL, so every outbound call
// is a server-side request forgery risk. The client defends in two layers:
//
//   - CheckURL refuses what can be judged from the URL alone: schemes other
//     than https, userinfo, IPv6 zones, non-canonical numeric hosts
//     (2130706433, 0x7f.1, 127.1) and literal addresses in blocked ranges.
//   - The dialer checks the address it actually connects to, after DNS, so a
//     name that resolves (or later re-resolves) to loopback, link-local
//     (instance metadata, the container credentials endpoint), private,
//     CGNAT, ULA, multicast, reserved or IPv4-embedding forms is refused.
//
// Redirects are never followed, the environment's proxy settings are
// ignored, and the Lambda Runtime API is never reachable. Plain http is
// allowed only for loopback host:port pairs the operator lists explicitly
// (the local stack and its mock upstream).
//
// Refusals are *apperr.Error values whose Message never names the address,
// so they are safe to return to the tenant who configured the URL.
package outbound
