// Package member keeps an organization's members and their roles, and holds
// the one permission matrix the management API checks every call against.
//
// Roles are ordered owner > admin > developer > viewer, and each role's
// permissions are a superset of the next one down; Allows reads them from a
// single table so the docs (Matrix) and the checks cannot drift apart.
//
// Items (all tenant-owned, so TenantRole's leading-key condition covers them):
//
//	ORG#<org>   MEMBER#<usr_id>                         the member: id, email, name, role, created
//	ORG#<org>   EMAIL#<hex sha256(lower(trim(email)))>  uniqueness guard: member_id
//	ORG#<org>   OWNERS                                  count: the exact number of owners
//
// The guard makes emails unique per org without a scan or an index: it is
// written with the member in one conditional transaction. The owner counter
// is changed in the same transaction as every role change or removal that
// touches an owner, with the condition count > 1 on a decrement, so no
// interleaving of concurrent requests can leave an org without an owner.
package member
