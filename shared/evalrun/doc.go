// Package evalrun keeps an evaluation run's state (DESIGN §10): its
// explicit state machine with every transition recorded, its per-item
// results written exactly once, its live spend, and the kill switches the
// workers check before every provider call.
//
// Items of one run (all in the org's own partitions):
//
//	ORG#<org>#EVAL#<run>   RUN                     the run and its counters
//	ORG#<org>#EVAL#<run>   STATE#<time>#<seq>      one per transition, append-only
//	ORG#<org>#EVAL#<run>   ITEM#<%06d index>       one per scored item (scores, cost)
//	ORG#<org>              EVALKILL                the org-wide kill switch
//
// An item's result and the run's counters change in one transaction that
// is conditional on the item being new, so a redelivered message can never
// count an item twice or add its cost twice.
package evalrun
