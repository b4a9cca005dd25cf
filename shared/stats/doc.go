// Package stats holds the statistics Tollgate bases its recommendations and
// alarms on, so that "the cheaper model is good enough" and "this workload
// has drifted" are claims with a stated error rate rather than eyeballed
// averages.
//
// The savings engine scores a candidate model and a baseline on the same
// items and feeds the paired differences d = candidate − baseline, each in
// [−1, 1], to a Sequence. Because the engine looks at the result after every
// chunk of items and stops as soon as it likes what it sees, the bound that
// decides must stay valid under that continuous monitoring: Sequence is an
// anytime-valid confidence sequence (Waudby-Smith & Ramdas's predictable
// plug-in empirical-Bernstein bound), and Decide turns it into a
// non-inferiority decision at a margin δ. The classic paired t bound
// (PairedTLower) is computed beside it for people used to reading one, but
// it is not used to decide: checked after every chunk it recommends a model
// that is worse by δ far more often than α (see the tests).
//
// The drift job and the verification loop compare a recent window of
// per-call metrics with a reference window. Welch, Proportions and KS are the
// classic fixed-sample two-sample tests for that; each returns a Test with
// the p-value, the raw effect and a standardized effect size, so an alarm
// can require both significance and a difference big enough to matter.
//
// Everything here is pure computation: no package-level mutable state, and
// every function is safe for concurrent use. A Sequence is a value owned by
// one goroutine.
package stats
