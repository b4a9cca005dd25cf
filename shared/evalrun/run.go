package evalrun

import (
	"time"
)

// State is where a run is in its life.
type State string

// The states. Completed, Cancelled, AbortedByCap and Failed are final.
const (
	Pending      State = "pending"
	Running      State = "running"
	Completed    State = "completed"
	Cancelled    State = "cancelled"
	AbortedByCap State = "aborted_by_cap"
	Failed       State = "failed"
)

// next lists the transitions the state machine allows.
var next = map[State][]State{
	Pending: {Running, Cancelled, Failed},
	Running: {Completed, Cancelled, AbortedByCap, Failed},
}

// Allowed reports whether a run may go from one state to another.
func Allowed(from, to State) bool {
	for _, s := range next[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Final reports whether no transition leaves s.
func (s State) Final() bool { return len(next[s]) == 0 }

// Run is one evaluation of a candidate target against a baseline.
type Run struct {
	ID        string `dynamodbav:"run_id" json:"id"`
	Org       string `dynamodbav:"org" json:"-"`
	Workspace string `dynamodbav:"workspace" json:"workspace"`
	Baseline  string `dynamodbav:"baseline" json:"baseline"`   // connection/model
	Candidate string `dynamodbav:"candidate" json:"candidate"` // connection/model
	Source    string `dynamodbav:"source" json:"source"`       // e.g. "dataset:ds_…"
	// BaselineTarget is the "connection/model" the baseline resolved to
	// when the run was created, and Alias the workspace alias the run
	// speaks for (the baseline's alias, the shadow source's, or one named
	// in the request); a recommendation applies to that alias.
	BaselineTarget string `dynamodbav:"baseline_target,omitempty" json:"baseline_target,omitempty"`
	Alias          string `dynamodbav:"alias,omitempty" json:"alias,omitempty"`
	Scorer         string `dynamodbav:"scorer" json:"scorer"`
	// ScorerConfig is the scorer's settings as JSON (a schema, a pattern,
	// a rubric); never item text.
	ScorerConfig string `dynamodbav:"scorer_config,omitempty" json:"-"`
	// JudgeModel and Mode ("grade" or "pairwise") are set for judge runs.
	JudgeModel string `dynamodbav:"judge_model,omitempty" json:"judge_model,omitempty"`
	Mode       string `dynamodbav:"mode,omitempty" json:"mode,omitempty"`
	// MaxOutputTokens is the output ceiling of every baseline and
	// candidate call.
	MaxOutputTokens int64  `dynamodbav:"max_output_tokens" json:"max_output_tokens"`
	Items           int64  `dynamodbav:"items" json:"items"` // how many items the run scores
	Chunks          int64  `dynamodbav:"chunks" json:"chunks"`
	CreatedBy       string `dynamodbav:"created_by,omitempty" json:"created_by,omitempty"`
	// CapNano bounds the run's spend; EstimateNano is the pre-flight
	// worst case it was admitted with.
	CapNano      int64 `dynamodbav:"cap_nano" json:"cap_nano"`
	EstimateNano int64 `dynamodbav:"estimate_nano" json:"estimate_nano"`
	State        State `dynamodbav:"state" json:"state"`
	Scored       int64 `dynamodbav:"scored" json:"scored"`
	Errored      int64 `dynamodbav:"errored" json:"errored"`
	// DeadLettered counts items whose messages went to the dead-letter
	// queue after every retry failed; they count as done.
	DeadLettered int64     `dynamodbav:"dead" json:"dead_lettered"`
	SpentNano    int64     `dynamodbav:"spent_nano" json:"spent_nano"`
	Created      time.Time `dynamodbav:"created_at" json:"created_at"`
	Updated      time.Time `dynamodbav:"updated_at" json:"updated_at"`
}

// Result is one item's outcome. Scores are in [0,1]; CostNano is what the
// item's provider calls (baseline, candidate, judge) were billed.
type Result struct {
	Index     int64   `dynamodbav:"index" json:"index"`
	Baseline  float64 `dynamodbav:"baseline_score" json:"baseline_score"`
	Candidate float64 `dynamodbav:"candidate_score" json:"candidate_score"`
	CostNano  int64   `dynamodbav:"cost_nano" json:"cost_nano"`
	// The per-side figures feed recommendations: what each model cost and
	// how fast it answered on the same item. Judge calls are in JudgeNano.
	BaselineNano       int64 `dynamodbav:"baseline_nano" json:"baseline_cost_nano"`
	CandidateNano      int64 `dynamodbav:"candidate_nano" json:"candidate_cost_nano"`
	JudgeNano          int64 `dynamodbav:"judge_nano" json:"judge_cost_nano"`
	BaselineLatencyMS  int64 `dynamodbav:"baseline_ms" json:"baseline_latency_ms"`
	CandidateLatencyMS int64 `dynamodbav:"candidate_ms" json:"candidate_latency_ms"`
	BaselineTokensOut  int64 `dynamodbav:"baseline_out" json:"baseline_tokens_out"`
	CandidateTokensOut int64 `dynamodbav:"candidate_out" json:"candidate_tokens_out"`
	// Error is a stable code when the item could not be scored; the scores
	// are then meaningless.
	Error string `dynamodbav:"error,omitempty" json:"error,omitempty"`
	// Dead marks an item given up on after its message's last receive.
	Dead bool `dynamodbav:"dead,omitempty" json:"dead_lettered,omitempty"`
}

// Done is how many of the run's items have an outcome.
func (r Run) Done() int64 { return r.Scored + r.Errored + r.DeadLettered }

// Transition is one recorded change of state.
type Transition struct {
	From   State     `dynamodbav:"from"`
	To     State     `dynamodbav:"to"`
	Reason string    `dynamodbav:"reason"`
	Time   time.Time `dynamodbav:"time"`
}
