// Package drift is the scheduled job that watches each model an org uses
// for changes nobody announced (DESIGN §10, "Drift"): per model in use, a
// recent window of calls is compared with a reference window for cost per
// token, latency, error rate, output length and feedback scores, and a
// change that is both statistically clear and big enough to matter is
// stored as a Flag naming the model, the metric, the statistic and both
// windows.
//
// # Windows
//
// The recent window (default 24 h) ends at the job's clock truncated to the
// hour, so every run within that hour evaluates exactly the same windows;
// the reference window (default 7 days) ends where the recent one starts.
// Each window is read in slices (default 6 h) with a per-slice bound (the
// window's limit, default 2,000 calls, shared out evenly), newest first:
// a busy model is then sampled evenly through the day in both windows, so
// a time-of-day pattern is not mistaken for drift, and one invocation's
// reads are bounded whatever the traffic.
//
// # Detection (Compare, a pure function)
//
// Per call:
//   - cost per token: cost_nano / (tokens_in + tokens_out), over priced,
//     non-estimated calls with tokens (a price change moves it, so does a
//     shift of the input/output mix: both change what the model costs); Welch's t on the per-call values,
//     effect gate a relative change of the mean of at least 10 %.
//   - latency: Welch's t on log latency of successful calls. Latency is
//     close to lognormal: on the log scale Welch is well calibrated, and the
//     effect reads as a ratio of geometric means ("×1.5 slower"). KS would
//     flag any change of shape with a D that says nothing about "how much
//     slower", and is what a huge sample makes significant for trivia.
//     Effect gate |Cohen's d| ≥ 0.2.
//   - error rate: status != ok; two-proportion z test, requiring at least
//     5 errors and 5 successes pooled (the normal approximation's rule of
//     thumb). Effect gate |Cohen's h| ≥ 0.1: h understates changes of rare
//     rates (2 % → 4 % is h = 0.12), so Cohen's "small" 0.2 would miss a
//     doubled error rate.
//   - output length: tokens_out of successful calls; Welch's t, |d| ≥ 0.2.
//   - score: feedback scores joined by trace ID; Welch's t on the mean,
//     |d| ≥ 0.2. Feedback is often binary (thumbs) or on a few levels;
//     KS assumes continuous data and is wrong under such ties, whereas a
//     mean of bounded scores is well served by Welch.
//
// Failed calls count only towards the error rate: the other metrics are
// about the answers the model gave (a failed call is fast, empty and
// billed nothing or an estimate), so a rising error rate is one flag, not
// four.
//
// # False alarms
//
// Three guards, all in Options:
//   - MinN (30): fewer calls on either side for a metric and it is not
//     tested.
//   - FamilyAlpha (0.001) across the family of every metric × every model
//     in use of an org in one window (Bonferroni: each test is held to
//     FamilyAlpha / family size). The job runs daily-ish per org: at 0.001
//     an org sees a false alarm from noise about once in three years of
//     daily runs, whatever the number of models.
//   - A minimum effect (above), so a statistically clear but tiny shift on a
//     huge sample pages nobody.
//
// # Storage
//
// Flags live under the org (DESIGN §3):
//
//	pk ORG#<org>#DRIFT   sk <recent window end, RFC 3339 UTC>#<provider/model>#<metric>
//
// written with a condition so the first write wins: a rerun over the same
// windows changes nothing. Each flag expires (DynamoDB TTL, expires_at)
// FlagTTL (default 90 days) after its window.
//
// # The job
//
// Like package retention, the job walks the org registry with its own role
// (which can read only the registry and its checkpoint) and does each org's
// work through that org's TenantRole session. A global checkpoint item
// (pk JOB#drift) records the pass's windows, the org in progress, its step
// ("drift", then the optional Also step) and how many of its models are
// done; it is saved after every unit of work, and an invocation stops after
// MaxRun or Margin before its deadline, so the next one resumes there.
package drift
