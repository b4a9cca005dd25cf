// Package orgdata exports all of an org's data and deletes a workspace or
// a whole org, crypto-shredding included.
//
// Tenant isolation is an IAM promise: an org's TenantRole session reaches
// only partition keys ORG#<org> and ORG#<org>#…, and may not Scan. So
// export and deletion cannot list the table; they enumerate every
// partition family from what the org's own items say, reading each
// partition only after something read earlier named it (walk.go). The
// families and how each is found:
//
//	ORG#<org>                      read whole: ORG, WS#<ws> (directory), MEMBER#, EMAIL#,
//	                               OWNERS, TOKEN#<tok> (hash, prev_hash), DATAKEY[#<dk>],
//	                               EXPIRES#<expiry day>#<trace day>#<part>
//	ORG#<org>#RES#<shard>          shards 0..63 (budget.Config.Shards defaults to 8)
//	ORG#<org>#AUDIT#<yyyymm>       months from one month before the oldest created_at /
//	                               created in ORG#<org> (ten years back when none) to
//	                               one month past now
//	ORG#<org>#AGG#<day>            the last 408 days to two days ahead (the aggregates'
//	                               400-day TTL plus DynamoDB's TTL lag), and every trace
//	                               day an expiry marker names
//	ORG#<org>#TR#<day>#<shard>     shards 0..trace.Shards-1 of every day an expiry marker
//	                               names or an aggregate exists for (retention removes a
//	                               day's markers only with its traces)
//	ORG#<org>#REDACT               one partition
//	ORG#<org>#WS#<ws>[#ALIASV]     workspaces from the directory, token records, traces
//	                               and audit entries (workspace, target_id ws_…)
//	ORG#<org>#BUDGET#<scope>       scopes: "org", every workspace above, every token ID
//	ORG#<org>#RATE#<scope>         (records, traces' token_id, audit target_id tok_… and
//	                               token actors), and every counter a reservation names
//
// Outside the org: token lookups TOKEN#<hash>/TOKEN for every hash and
// prev_hash of the org's token records, and the registry entry
// REGISTRY/ORG#<org>, both deleted through the API function's own client.
//
// What cannot be enumerated without Scan: a budget or rate counter of a
// token whose record retention already purged and that no surviving trace,
// audit entry or reservation names (its TTL removes it within 13 months),
// aggregates and audit entries outside the windows above, and the
// retention job's checkpoint, which may name the org as a cursor.
//
// Deletion runs in the reverse of the enumeration order, so whatever names
// a partition outlives it and a rerun after a crash finds what is left;
// see DeleteOrg for the full order.
package orgdata
