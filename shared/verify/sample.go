package verify

import (
	"fmt"
	"math"
	"time"

	"github.com/tollgate-dev/tollgate/shared/trace"
)

// sample is what the checks need of one window's calls: numbers only,
// never a call's content.
type sample struct {
	span
	// Calls and Errors count every call read; Errors those not ok.
	Calls, Errors int
	// LogLatency is log(latency_ms + 1) of each successful call.
	LogLatency []float64
	// Cost is the cost (nano-USD) of each successful, priced call whose
	// usage arrived: an unpriced call costs 0 by definition and an
	// estimated one was billed a guess, neither says what the model costs.
	Cost []float64
	// Scores are the feedback scores of the calls read, any status.
	Scores []float64
	// Capped says the read stopped at its bound in at least one slice, so
	// the window is a sample of its calls.
	Capped bool
	// PerSlice is the bound each slice of length Slice was read up to.
	PerSlice int
	Slice    time.Duration

	ids []string
}

// add counts one call.
func (s *sample) add(t *trace.Trace) {
	s.Calls++
	s.ids = append(s.ids, t.ID)
	if t.Status != trace.StatusOK {
		s.Errors++
		return
	}
	s.LogLatency = append(s.LogLatency, math.Log(float64(max(t.LatencyMS, 0))+1))
	if !t.Unpriced && !t.Estimated {
		s.Cost = append(s.Cost, float64(t.CostNano))
	}
}

// sliceName words the slice length for a note: "24 h", or Go's form when
// it is not whole hours.
func (s sample) sliceName() string {
	if s.Slice > 0 && s.Slice%time.Hour == 0 {
		return fmt.Sprintf("%d h", s.Slice/time.Hour)
	}
	return s.Slice.String()
}
