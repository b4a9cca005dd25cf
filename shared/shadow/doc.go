// Package shadow keeps the live calls the gateway samples for the savings
// engine (DESIGN §10, "a sampled shadow of live traffic for an alias whose
// workspace opted in"): a sampled call's request messages and the answer the
// live model gave, held only until an evaluation has scored them.
//
// A sample is customer text, as sensitive as a prompt, so:
//
//   - Sampled decides from the request ID alone (a hash), so a retried
//     decision agrees and no per-request state is kept.
//   - Store keeps the text only sealed (secrets, purpose "shadow"), as one
//     JSON document {messages, output} bound to "<ws>/<alias>/<id>", so a
//     sealed blob moved to another sample, alias, workspace or org fails
//     authentication. The item's clear attributes are metadata only.
//   - A sample holding a credential shape (scrub.Contains) is refused and
//     never stored, even sealed; so is one whose sealed document would be
//     over MaxSealedBytes. The gateway skips such samples.
//   - Every sample expires (DynamoDB TTL on expires_at, default 7 days, see
//     WithHold); List and Open treat an expired one as gone even before TTL
//     removes it. An evaluation Deletes each sample once it is scored.
//   - No error holds any of the text: errors name IDs and sizes only (the
//     package logs nothing).
//
// Items (tenant-owned, so TenantRole's leading-key condition covers them;
// the caller passes the org's scoped client):
//
//	ORG#<org>#SHADOW#<ws>#<alias>   <time>#<id>   {id, workspace, alias, model, time,
//	                                               cost_nano, prompt_tokens, completion_tokens,
//	                                               sealed, expires_at}
//
// <time> is the sample's time in UTC, fixed width with nanoseconds
// (2006-01-02T15:04:05.000000000Z), so the sort key orders samples by time
// and the ID breaks ties. The sort key is a sample's reference (Ref.Key,
// Sample.Key): what Open and Delete take. Alias names never hold '#'
// (workspace.ValidAliasName) and workspace IDs are fixed length, so no
// (ws, alias) partition is a prefix of another.
package shadow
