package recommend

import "time"

// State is where a recommendation is in its life.
type State string

// The states. Dismissed and RolledBack are final.
const (
	Open       State = "open"
	Applied    State = "applied"
	Verified   State = "verified"
	Regressed  State = "regressed"
	RolledBack State = "rolled_back"
	Dismissed  State = "dismissed"
)

var next = map[State][]State{
	Open:      {Applied, Dismissed},
	Applied:   {Verified, Regressed, RolledBack},
	Verified:  {Regressed, RolledBack},
	Regressed: {RolledBack},
}

// Allowed reports whether a recommendation may go from one state to another.
func Allowed(from, to State) bool {
	for _, s := range next[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Live reports whether the recommendation's change is in effect and so is
// watched by the verification loop.
func (s State) Live() bool { return s == Applied || s == Verified || s == Regressed }

// IDPrefix starts every recommendation ID.
const IDPrefix = "rec_"

// Recommendation is the advice to route an alias to a cheaper candidate,
// with everything needed to check it by hand.
type Recommendation struct {
	ID        string `dynamodbav:"rec_id" json:"id"`
	Org       string `dynamodbav:"org" json:"-"`
	Workspace string `dynamodbav:"workspace" json:"workspace"`
	Run       string `dynamodbav:"run_id" json:"run"`
	// Alias is the alias the recommendation applies to; empty when the
	// run named none (the recommendation then cannot be applied).
	Alias     string `dynamodbav:"alias,omitempty" json:"alias,omitempty"`
	Baseline  string `dynamodbav:"baseline" json:"baseline"`   // connection/model
	Candidate string `dynamodbav:"candidate" json:"candidate"` // connection/model
	Scorer    string `dynamodbav:"scorer" json:"scorer"`

	Evidence Evidence `dynamodbav:"evidence" json:"evidence"`
	Cost     Cost     `dynamodbav:"cost" json:"cost"`
	// Explanation spells the decision out with its formulas and numbers.
	Explanation string `dynamodbav:"explanation" json:"explanation"`

	State State `dynamodbav:"state" json:"state"`
	// Apply is set once the recommendation was applied.
	Apply *Apply `dynamodbav:"apply,omitempty" json:"apply,omitempty"`
	// Rollback is set once the change was undone.
	Rollback *Rollback `dynamodbav:"rollback,omitempty" json:"rollback,omitempty"`
	// Verification is the verification loop's latest look at the change.
	Verification *Verification `dynamodbav:"verification,omitempty" json:"verification,omitempty"`

	Created time.Time `dynamodbav:"created_at" json:"created_at"`
	Updated time.Time `dynamodbav:"updated_at" json:"updated_at"`
}

// Evidence is the statistical case for the candidate.
type Evidence struct {
	// N paired items were used: the scored items of the longest prefix of
	// the run (in item order) whose items all have an outcome.
	N int64 `dynamodbav:"n" json:"n"`
	// Excluded items of that prefix had no scores (errored or
	// dead-lettered) and were left out.
	Excluded      int64   `dynamodbav:"excluded" json:"excluded"`
	MeanBaseline  float64 `dynamodbav:"mean_baseline" json:"mean_baseline"`
	MeanCandidate float64 `dynamodbav:"mean_candidate" json:"mean_candidate"`
	// MeanDiff is mean(candidate − baseline).
	MeanDiff float64 `dynamodbav:"mean_diff" json:"mean_difference"`
	// Lower is the anytime-valid lower confidence bound of the mean
	// difference (the running maximum of the confidence sequence's
	// bound); it decides.
	Lower float64 `dynamodbav:"lower" json:"lower_bound_anytime"`
	// TLower is the classic one-sided paired t bound at the same level,
	// shown beside it; it is valid only for a single look at a fixed n.
	TLower float64 `dynamodbav:"t_lower" json:"lower_bound_t"`
	Delta  float64 `dynamodbav:"delta" json:"delta"`
	Alpha  float64 `dynamodbav:"alpha" json:"alpha"`
	MinN   int64   `dynamodbav:"min_n" json:"min_n"`
	// Method names the bound, with the paper it comes from.
	Method string `dynamodbav:"method" json:"method"`
	// Final says the run had completed when these numbers were computed;
	// before that they grow with every chunk.
	Final bool `dynamodbav:"final" json:"final"`
}

// Cost is what each model cost per request in the evaluation and what the
// change would save on the alias's own traffic.
type Cost struct {
	// Per request, the mean over the N paired items (nano-USD).
	BaselinePerRequestNano  int64 `dynamodbav:"baseline_per_request_nano" json:"baseline_per_request_nano"`
	CandidatePerRequestNano int64 `dynamodbav:"candidate_per_request_nano" json:"candidate_per_request_nano"`
	// Mean latency of each side on the same items, for context.
	BaselineLatencyMS  int64 `dynamodbav:"baseline_latency_ms" json:"baseline_latency_ms"`
	CandidateLatencyMS int64 `dynamodbav:"candidate_latency_ms" json:"candidate_latency_ms"`
	// The alias's traffic over the last WindowDays UTC days (today's so
	// far included), from the workspace's daily aggregates.
	WindowDays     int64  `dynamodbav:"window_days" json:"window_days"`
	AliasRequests  int64  `dynamodbav:"alias_requests" json:"alias_requests"`
	AliasCostNano  int64  `dynamodbav:"alias_cost_nano" json:"alias_cost_nano"`
	MonthlyCost    int64  `dynamodbav:"monthly_cost_nano" json:"monthly_cost_nano"`
	ProjectedNano  int64  `dynamodbav:"projected_nano" json:"projected_monthly_saving_nano"`
	ProjectionNote string `dynamodbav:"projection_note,omitempty" json:"projection_note,omitempty"`
}

// Apply records how a recommendation was applied.
type Apply struct {
	// Version is the alias version the apply saved; Previous the one it
	// replaced (a rollback returns to it).
	Version  int64     `dynamodbav:"version" json:"version"`
	Previous int64     `dynamodbav:"previous" json:"previous_version"`
	By       string    `dynamodbav:"by" json:"by"`
	At       time.Time `dynamodbav:"at" json:"at"`
	// AutoRollback lets the verification loop roll the alias back by
	// itself when it flags a regression.
	AutoRollback bool `dynamodbav:"auto_rollback" json:"auto_rollback"`
}

// Rollback records how an applied recommendation was undone.
type Rollback struct {
	Version int64     `dynamodbav:"version" json:"version"` // the alias version the rollback saved
	To      int64     `dynamodbav:"to" json:"to_version"`   // the version whose targets it restored
	By      string    `dynamodbav:"by" json:"by"`
	At      time.Time `dynamodbav:"at" json:"at"`
	Reason  string    `dynamodbav:"reason" json:"reason"`
}

// Verification is one look by the verification loop at an applied change.
type Verification struct {
	At time.Time `dynamodbav:"at" json:"at"`
	// Checks are the signals compared, each with its evidence.
	Checks []Check `dynamodbav:"checks" json:"checks"`
	// Regressed says at least one check flagged a regression.
	Regressed bool `dynamodbav:"regressed" json:"regressed"`
	// Enough says every check had the minimum traffic after the change.
	Enough bool `dynamodbav:"enough" json:"enough"`
}

// Check compares one signal after the change with what was expected.
type Check struct {
	// Signal is error_rate, latency, cost_per_request, feedback or
	// shadow_score.
	Signal string `dynamodbav:"signal" json:"signal"`
	// Test names the statistic (e.g. "two-proportion z, one-sided").
	Test      string  `dynamodbav:"test" json:"test"`
	Statistic float64 `dynamodbav:"statistic" json:"statistic"`
	P         float64 `dynamodbav:"p" json:"p_value"`
	Alpha     float64 `dynamodbav:"alpha" json:"alpha"`
	// Effect is the after-minus-expected difference in the signal's unit;
	// MinEffect the smallest one that counts as a regression.
	Effect    float64 `dynamodbav:"effect" json:"effect"`
	MinEffect float64 `dynamodbav:"min_effect" json:"min_effect"`
	Unit      string  `dynamodbav:"unit" json:"unit"`
	Before    Window  `dynamodbav:"before" json:"before"`
	After     Window  `dynamodbav:"after" json:"after"`
	// Expected is the after-window value the evaluation predicted (cost),
	// or the before-window value (other signals).
	Expected  float64 `dynamodbav:"expected" json:"expected"`
	Regressed bool    `dynamodbav:"regressed" json:"regressed"`
	// Note says why a check was not conclusive (too little traffic).
	Note string `dynamodbav:"note,omitempty" json:"note,omitempty"`
}

// Window is one side of a check: a time range, its sample size and mean.
type Window struct {
	From time.Time `dynamodbav:"from" json:"from"`
	To   time.Time `dynamodbav:"to" json:"to"`
	N    int64     `dynamodbav:"n" json:"n"`
	Mean float64   `dynamodbav:"mean" json:"mean"`
}

// Transition is one recorded change of state.
type Transition struct {
	From   State     `dynamodbav:"from" json:"from"`
	To     State     `dynamodbav:"to" json:"to"`
	Reason string    `dynamodbav:"reason" json:"reason"`
	By     string    `dynamodbav:"by" json:"by"`
	Time   time.Time `dynamodbav:"time" json:"time"`
}
