// Package recommend turns an evaluation run's paired scores into a
// recommendation to move an alias to a cheaper model, and keeps each
// recommendation's life: open → applied → verified | regressed →
// rolled_back, or open → dismissed.
//
// A recommendation exists only when the evidence clears a bar a person can
// check by hand. The run's results are read in item order (the order the
// run drew them in, fixed before any was scored); the longest prefix of
// items that all have an outcome is used, so the order the workers
// happened to finish in cannot select which items count. Items that could
// not be scored (a provider error, the dead-letter queue) are skipped and
// counted; when more than MaxExcludedFraction of the prefix was skipped no
// recommendation is made, since the skipped items might be exactly the
// ones the candidate fails. The differences d = candidate − baseline feed
// stats.Sequence, an anytime-valid confidence sequence, and its running
// maximum lower bound (the intersection of the sequence's intervals, which
// is itself a valid confidence sequence) decides: a recommendation is
// created when that bound exceeds −δ on at least stats.DefaultMinN items.
// Because the bound holds at every n at once, deciding after every chunk
// does not inflate the error rate: a candidate truly δ worse is
// recommended in at most α of evaluations.
//
// Layout, in the org's own partitions:
//
//	ORG#<org>#REC#<ws>   REC#<id>                  the recommendation
//	ORG#<org>#REC#<ws>   RUN#<run>                 guard: one recommendation per run
//	ORG#<org>#REC#<ws>   HIST#<id>#<time>#<rand>   every state change, with its reason
//
// and, while a recommendation is applied (applied, verified or regressed),
// gsi1pk ORG#<org>#RECLIVE so the verification loop finds every live
// change of an org with one query.
package recommend
