// Package orgdata exports all of an org's data and deletes a workspace or
// a whole org, crypto-shredding included.
//
// Tenant isolation is an IAM promise: an org's TenantRole session reaches
// only partition keys ORG#<org> and ORG#<org>#…, and may not Scan. So
// export and deletion cannot list the table; they enumerate every
// partition family from what the org's own items say, reading each
// partition only after something read earlier named it (walk.go). The
// families and how each is found, in walk order:
//
//	ORG#<org>                      read whole: ORG, WS#<ws> (directory), MEMBER#, EMAIL#,
//	                               OWNERS, TOKEN#<tok> (hash, prev_hash), DATAKEY[#<dk>],
//	                               EXPIRES#<expiry day>#<trace day>#<part>, EVALKILL
//	ORG#<org>#RES#<shard>          shards 0..63 (budget.Config.Shards defaults to 8)
//	ORG#<org>#AUDIT#<yyyymm>       months from one month before the oldest created_at /
//	                               created in ORG#<org> (ten years back when none) to
//	                               one month past now
//	ORG#<org>#AGG#<day>            the last 408 days to two days ahead (the aggregates'
//	                               400-day TTL plus DynamoDB's TTL lag), and every trace
//	                               day an expiry marker names; the wsalias aggregates
//	                               (<ws>/<alias>) of the last 38 days name aliases
//	ORG#<org>#TR#<day>#<shard>     shards 0..trace.Shards-1 of every day an expiry marker
//	                               names or an aggregate exists for (retention removes a
//	                               day's markers only with its traces)
//	ORG#<org>#REDACT               one partition
//	ORG#<org>#WS#<ws>[#ALIASV]     workspaces from the directory, token records, traces,
//	                               audit entries (workspace, target_id ws_…) and wsalias
//	                               aggregates; their ALIAS#<name> and ALIASV#<name>#…
//	                               items name aliases
//	ORG#<org>#REC#<ws>             per workspace: REC#<rec> (run_id, alias), RUN#<run>,
//	                               HIST#…; applied ones also carry gsi1pk ORG#<org>#RECLIVE
//	ORG#<org>#EVALS#<ws>           per workspace: <created>#<run> (run_id)
//	ORG#<org>#EVAL#<run>           runs from the run lists, recommendations and audit
//	                               target_id run_…: RUN (workspace, alias, source
//	                               dataset:<id> or shadow:<alias>), STATE#, ITEM#,
//	                               LEASE#, CALL#
//	ORG#<org>#DSMETA#<ws>          per workspace: <dataset> (the dataset's meta)
//	ORG#<org>#DS#<dataset>         datasets from the metas, runs' sources and audit
//	                               target_id ds_…: CHUNK#<n> (ws, sealed data)
//	ORG#<org>#SHADOW#<ws>#<alias>  aliases from alias items and history, traces, runs,
//	                               recommendations and the wsalias aggregates of the
//	                               days a sample can still exist (shadow.MaxHold of
//	                               30 days plus 8 days of TTL lag)
//	ORG#<org>#FB#<trace>           every entry of gsi1 partition ORG#<org>#FB, read and
//	                               deleted through the index (one item per partition)
//	ORG#<org>#DRIFT                one partition
//	ORG#<org>#IDEM#<shard>         shards 0..63 (the idempotency package uses 8)
//	ORG#<org>#BUDGET#<scope>       scopes: "org", every workspace above and its
//	ORG#<org>#RATE#<scope>         evaluation scope eval:<ws>, every run above, every
//	                               token ID (records, traces' token_id, audit target_id
//	                               tok_… and token actors), and every counter a
//	                               reservation names
//
// Outside the org: token lookups TOKEN#<hash>/TOKEN for every hash and
// prev_hash of the org's token records, and the registry entry
// REGISTRY/ORG#<org>, both deleted through the API function's own client.
//
// What cannot be enumerated without Scan: a budget or rate counter of a
// token whose record retention already purged and that no surviving trace,
// audit entry or reservation names (its TTL removes it within 13 months);
// aggregates and audit entries outside the windows above; the chunks of a
// dataset upload that stopped before writing its meta and whose own
// cleanup failed (no meta or run names them); a shadow sample of an alias
// that no alias item or history, trace, run, recommendation or wsalias
// aggregate of its window names (its TTL removes it within MaxHold); a
// feedback score written so recently that gsi1 does not list it yet (the
// index is eventually consistent: a rerun finds it); and the global
// checkpoints of the retention job and of the drift job (JOB#drift), which
// may name the org as a cursor.
//
// Deletion runs in the reverse of the enumeration order, so whatever names
// a partition outlives it and a rerun after a crash finds what is left;
// see DeleteOrg for the full order.
package orgdata
