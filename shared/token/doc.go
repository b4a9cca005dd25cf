// Package token is the management API's API-token lifecycle: create, list,
// get, rotate with a grace period, revoke, and expiry.
//
// A token lives in two item families that different credentials write, so
// no transaction spans them (IAM enforces the split):
//
//   - the org's record, pk=ORG#<org> sk=TOKEN#<tok_id>, written with the
//     org-scoped TenantRole client (OrgDB). It is what people list and what
//     the retention job purges; it names the secret only by its hash.
//   - the global lookup, pk=TOKEN#<hash> sk=TOKEN (auth.LookupItem), written
//     with the API function's own client (LookupDB). It is the only thing
//     authentication reads, so it alone decides whether a secret works.
//
// Every operation orders its writes so that a failure part-way, and a
// retry of the same call, never leaves the caller without a working secret
// and never leaves a working lookup the org's record does not name (except
// one whose plaintext nobody has ever seen). The plaintext exists only in
// the return value of Create and Rotate; it is never stored or logged.
//
// Revocation and the end of a grace period reach a warm gateway within the
// authenticator's cache TTL (auth.Config.CacheTTL).
package token
