// Package evalplan checks an evaluation request and prices it before any
// money is spent (DESIGN §10): it resolves the baseline, candidate and
// judge on the workspace's own connections and prices, and bounds the
// run's worst-case cost — every item's prompt counted locally, every
// output at its ceiling, judge calls included — so the API can refuse a
// run that does not fit its cap or what is left of the workspace's
// monthly evaluation budget.
package evalplan
