// Package audit is the management API's append-only audit log: who did what
// to which object of an org, when, from where, and — where safe — what it
// looked like before and after.
//
// Entries are kept until the org is deleted (no TTL) and can only be
// appended: the package has no update or delete, and every write is
// conditional on the item's absence, so an entry once written is never
// changed through this package.
//
// Tenant isolation is TenantRole's promise, not this package's: every read
// and write goes through the org-scoped DynamoDB client the caller passes
// in, and every key lies in the org's own partitions. Entries are kept in
// one partition per org and calendar month (UTC), sorted by time:
//
//	pk ORG#<org>#AUDIT#<yyyymm>   sk <RFC3339Nano fixed-width UTC time>#<entry ID>
//
// Before and After never carry a credential: values scrub recognizes are
// redacted before the write, and an entry whose diff would still hold one
// is refused. Each side is capped at MaxDiffBytes of JSON.
package audit
