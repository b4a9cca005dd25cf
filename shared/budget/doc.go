// Package budget is the gate every provider call passes (DESIGN §5): it
// reserves the worst-case cost of a call against every spend cap that applies
// and counts it against every rate limit, in one DynamoDB round trip, before
// the provider is called; and it settles the actual cost afterwards.
//
// Counters keep a running "available" amount (cap − reserved − spent) because
// a condition expression cannot add attributes together: a reservation is a
// conditional decrement of available, so settled spend never exceeds a cap
// under any concurrency. All counters of one call and a reservation record
// are written in one TransactWriteItems, so a refusal changes nothing.
//
// A reservation whose invocation died before settling expires; Reconcile
// returns its amount, and Reserve reconciles by itself before refusing, so a
// crash never leaves phantom spend that blocks a tenant.
//
// Keys, all in the org's own partitions:
//
//	ORG#<org>#BUDGET#<scope>  <YYYY-MM>          monthly spend counter
//	ORG#<org>#RATE#<scope>    <YYYY-MM-DDTHH:MM> per-minute request/token counter
//	ORG#<org>#RES#<shard>     <expiry>#<request> open reservation
//
// where scope is "org", a workspace ID or a token ID.
package budget
