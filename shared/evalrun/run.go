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
	Scorer    string `dynamodbav:"scorer" json:"scorer"`
	Items     int64  `dynamodbav:"items" json:"items"` // how many items the run scores
	// CapNano bounds the run's spend; EstimateNano is the pre-flight
	// worst case it was admitted with.
	CapNano      int64     `dynamodbav:"cap_nano" json:"cap_nano"`
	EstimateNano int64     `dynamodbav:"estimate_nano" json:"estimate_nano"`
	State        State     `dynamodbav:"state" json:"state"`
	Scored       int64     `dynamodbav:"scored" json:"scored"`
	Errored      int64     `dynamodbav:"errored" json:"errored"`
	SpentNano    int64     `dynamodbav:"spent_nano" json:"spent_nano"`
	Created      time.Time `dynamodbav:"created_at" json:"created_at"`
	Updated      time.Time `dynamodbav:"updated_at" json:"updated_at"`
}

// Result is one item's outcome. Scores are in [0,1]; CostNano is what the
// item's provider calls (baseline, candidate, judge) were billed.
type Result struct {
	Index     int64   `dynamodbav:"index"`
	Baseline  float64 `dynamodbav:"baseline_score"`
	Candidate float64 `dynamodbav:"candidate_score"`
	CostNano  int64   `dynamodbav:"cost_nano"`
	// Error is a stable code when the item could not be scored; the scores
	// are then meaningless.
	Error string `dynamodbav:"error,omitempty"`
}

// Transition is one recorded change of state.
type Transition struct {
	From   State     `dynamodbav:"from"`
	To     State     `dynamodbav:"to"`
	Reason string    `dynamodbav:"reason"`
	Time   time.Time `dynamodbav:"time"`
}
