// Package retention is the scheduled job that keeps what Tollgate stores
// within what each org agreed to (DESIGN §6): it redacts opted-in text past
// its workspace's window, deletes traces past retention (DynamoDB TTL does
// the bulk but may lag by days), releases reservations whose invocation
// died, and purges expired API tokens.
//
// The job walks the org registry and does each org's work with that org's
// TenantRole session, so a bug in it can touch no other tenant. It is
// idempotent (every step removes its own marker after its work) and
// resumable: a checkpoint item records the org, step and cursor it reached,
// saved after every unit of work, and each invocation stops by its time
// bound and leaves the rest to the next one.
package retention
