// Package evalcall makes the provider calls of an evaluation — baseline,
// candidate and judge — through the same budget gate as a gateway call
// (DESIGN §5: no side door). Each call resolves its target with package
// route on the workspace's own connections, keys and prices, reserves its
// worst case (prompt bound plus output ceiling) on the org's and
// workspace's monthly caps and on the caller's extra caps (the workspace's
// evaluation budget, the run's cap) in one conditional transaction, calls
// the provider only when that succeeded, and settles what the provider
// billed — together with the caller's own record of the call, in the same
// transaction, so spend and the record of what it bought never disagree.
package evalcall
