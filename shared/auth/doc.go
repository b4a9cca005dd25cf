// Package auth authenticates API tokens (DESIGN §4).
//
// A token is "tgk_" followed by 40 base62 characters (238 random bits): the
// typed prefix lets scrubbers and secret scanners recognise it. Only its
// SHA-256 is stored, in a global lookup item TOKEN#<hash> that names the org,
// workspace, token ID, scopes and expiry; that item is the only tenant-related
// data a function's own role may read. Everything else about the token lives
// in the org's partition.
//
// Lookups are cached per instance for at most CacheTTL, which is therefore
// the bound on how long a revoked token keeps working (documented in README).
package auth
