// Package verify is the savings engine's verification loop (DESIGN §10,
// "Verification"): after a recommendation was applied, it compares what
// the alias's traffic actually does with what it did before the change and
// with what the evaluation predicted, flags a regression with its evidence,
// and, when the person who applied it opted in, rolls the alias back.
//
// It runs as the drift job's second per-org step (Verifier.Step is a
// drift.AlsoFunc), through the org's TenantRole session, over every live
// recommendation of the org (applied, verified or regressed).
//
// # Windows
//
// The before window is [Apply.At − Before, Apply.At) (default 7 days): the
// baseline's own traffic on the alias. The after window is [Apply.At, now),
// the candidate's, of which at most the last MaxAfter (default 7 days) is
// read: the question is how the change behaves now, a long-verified change
// should not dilute a fresh regression in months of good traffic, and equal
// lengths keep the weekly cycle alike on both sides. Each window is read in
// slices (default one day) from its end back, newest first within a slice,
// with at most MaxTraces calls per window (default 5,000) shared evenly
// among its slices; when a slice holds more, the check's Note says the
// window was sampled. Feedback scores are joined to the calls read by
// trace ID.
//
// Shadow evaluations are read beside the windows: in a workspace that
// samples live alias traffic (shadow_sample_pct), an evaluation with
// source shadow:<alias> and the "live" baseline scores a model against
// the answers the alias's live traffic got, which since the apply the
// candidate gave. A completed run, or a running one with results, created
// after Apply.At with the recommendation's baseline (the old model) as its
// candidate therefore scores the old model against the new one on fresh
// production prompts. The workspace's 100 most recent runs
// (evalrun.MaxList) are listed once per pass; of the matching ones at
// most MaxShadowRuns (default 5) are read, newest first, with at most
// MaxShadowResults (default 5,000) scored results in all, each run's
// taken in item order up to its first item still without an outcome,
// errored and dead-lettered items left out.
//
// # Checks
//
//   - error_rate: the share of calls whose status is not ok, after against
//     before, with the pooled two-proportion z test, one-sided (after
//     greater). Min effect +2 percentage points, absolute: an error rate
//     that goes from 1 % to 2 % is a real change but retries absorb it,
//     one that gains two points in absolute terms is what an on-call
//     engineer would want to hear about.
//   - latency: Welch's t on log(latency_ms + 1) of successful calls,
//     one-sided (after greater). Latency is close to lognormal, so on the
//     log scale Welch is well calibrated and the effect reads as a ratio of
//     geometric means. Min effect ×1.25 (Effect = ratio − 1, Unit
//     "relative"): a cheaper model is often a little slower, and 25 % is
//     where users notice.
//   - cost_per_request: cost of successful, priced, non-estimated calls.
//     Expected = before mean × (the evaluation's candidate ÷ baseline cost
//     per request), or the before mean itself when the evaluation's
//     baseline cost is unknown (0). The test is Welch's t of the after
//     costs against the before costs each multiplied by that ratio,
//     one-sided (after greater): a two-sample test, so the sampling error
//     of the before mean that the expectation rests on is accounted for,
//     rather than treating the expectation as exact. Min effect +20 %
//     relative to Expected: the evaluation priced a few hundred items, and
//     prompt mix alone moves cost per request by some percent.
//   - feedback: feedback scores of the before window's calls against the
//     after window's, Welch's t, one-sided (after less). Min effect −δ, the
//     recommendation's own non-inferiority margin (stats.DefaultDelta when
//     it carries none): the evaluation promised the candidate is at most δ
//     worse, so a drop within δ is what was accepted.
//   - shadow_score, where shadow evaluations exist: d = old − live for
//     each scored item, fed in that order to the anytime-valid confidence
//     sequence recommendations are decided with (stats.NewSequence, the
//     running maximum of its lower bound), at the check's α. It regresses
//     when the lower bound of mean(old − live) is above δ, the margin the
//     recommendation accepted, with at least MinN items: the new model is
//     then worse than the old by more than was accepted, whenever passes
//     look. Statistic is that bound, Effect mean(old − live) (positive:
//     the new model worse), MinEffect δ, Unit "score"; Before and After
//     are the old and live means over the runs' creation span, N the
//     paired items. A bound is not a test, so P is 1 unless the check
//     regressed, and then the smallest level at which the bound still
//     clears δ (to within 1 %, at least 1e-100): the anytime-valid p-value
//     of "the new model is at most δ worse", never above the check's α.
//     With no such run the check is absent, and it is not in the family.
//     With a scorer that takes the live answer as its reference (exact,
//     normalized), the live side scores 1 by construction and the check
//     cannot flag; a run may also hold shadow samples taken before the
//     apply (samples are kept up to 7 days), which the old model answered
//     live, so early runs dilute a regression rather than invent one.
//
// A check with fewer than MinN (default 30) observations on either side is
// not tested: Regressed false, P 1 and a Note such as "n after = 12 < 30"
// ("n = 12 < 30" for shadow_score, whose sides are paired).
// Failed calls count only towards the error rate, so a provider outage is
// one regression, not three.
//
// # Error rate of the family
//
// The checks that were tested form one family at level Alpha (default
// 0.01), Bonferroni-split: each is held to Alpha / k (k the number of
// checks tested, shadow_score among them when it was), which every Check
// states in its Alpha. A check regresses only when its p is below its
// alpha and its effect reaches its min effect (shadow_score: when its
// bound at its alpha clears δ), so a statistically clear but trivial
// shift on a busy alias flags nothing. Each pass holds its family to Alpha; passes look again at
// largely the same calls, and on a busy alias noise as large as a min
// effect is far rarer than Alpha, so repeated passes over an unchanged
// change do not add up to a false flag.
//
// # States
//
// Each pass stores the latest Verification on the recommendation with one
// optimistic-lock write (recommend.Store.Update, by "system:verification"):
//
//   - regressed while applied or verified → regressed, with a reason naming
//     each regressed signal's statistic, p, effect and n, and an audit
//     entry "recommendation.regressed" holding the flagged checks' numbers;
//   - no regression, enough traffic on every check but feedback and
//     shadow_score (which need opted-in scores and evaluations), and
//     applied → verified;
//   - otherwise no transition: the Verification is refreshed. A regressed
//     recommendation stays regressed (only a rollback ends it) and is not
//     audited again.
//
// A regressed recommendation whose Apply.AutoRollback is set is then
// rolled back with recommend.Actions.Rollback, which restores the alias
// version the apply replaced, and audited as "recommendation.rollback".
// When the alias was edited after the apply, the rollback is refused
// (recommend.ErrAliasChangedSince): undoing the apply would undo someone
// else's change too, so the recommendation stays regressed, visibly, with
// a warning in the log, and every later pass tries again.
//
// # Idempotency
//
// The drift job may run the step again for an org (an invocation killed
// after the step but before its checkpoint was saved). A rerun reads the
// same state and writes the same outcome: transitions happen only from
// states that allow them, a rolled-back recommendation is no longer live,
// and audit entries have IDs and times derived from the recommendation
// and the time of its transition, so appending one twice changes nothing.
// That also repairs a pass stopped between its two writes: each pass over
// a regressed recommendation makes sure its regression's audit entry
// exists (it is rebuilt from the recorded transition when missing).
//
// Errors of one recommendation are logged and the others still run; Step
// returns them joined, so the drift job reports the org as failed and the
// next pass tries again.
package verify
