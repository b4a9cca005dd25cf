package mock

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// MaxExtraLatency bounds a regression's ExtraLatency, so a typo cannot stall
// a local stack's calls for hours.
const MaxExtraLatency = 10 * time.Minute

// regressionMessage is the message of a call an injected error rate fails.
const regressionMessage = "injected regression"

// Regression is a degradation injected into one model while the mock runs,
// so an end-to-end test can make a model worse after it was recommended and
// watch verification and drift notice. The zero value changes nothing.
type Regression struct {
	// ErrorPercent, 0 to 100, is the share of calls that fail with HTTP 500
	// server_error before any output. Which calls fail is a draw seeded by
	// the request, so a given request always fails or always succeeds at a
	// given percent, and raising the percent only adds failures.
	ErrorPercent int
	// ExtraLatency is added to the model's first-byte delay.
	ExtraLatency time.Duration
	// QualityDrop, in [0,1], is subtracted from the model's Quality (the
	// result is floored at 0). Because correctness draws are shared by all
	// models, the model starts missing exactly the requests whose
	// difficulty lies in [Quality-QualityDrop, Quality).
	QualityDrop float64
}

// validate refuses a regression that could not behave as documented.
func (r Regression) validate() error {
	switch {
	case r.ErrorPercent < 0 || r.ErrorPercent > 100:
		return fmt.Errorf("error percent %d is not within [0,100]", r.ErrorPercent)
	case r.ExtraLatency < 0 || r.ExtraLatency > MaxExtraLatency:
		return fmt.Errorf("extra latency %s is not within [0,%s]", r.ExtraLatency, MaxExtraLatency)
	case !(r.QualityDrop >= 0 && r.QualityDrop <= 1):
		return fmt.Errorf("quality drop %v is not within [0,1]", r.QualityDrop)
	}
	return nil
}

// Regressions holds the active regression of each model name. It is the
// one part of a Mock that changes after New: Options.Regressions points at
// it, so a control endpoint can degrade and restore models while the mock
// serves. The zero value has none; it is safe for concurrent use, and a
// nil *Regressions is a valid empty set.
type Regressions struct {
	mu      sync.RWMutex
	byModel map[string]Regression
}

// Set makes r the regression of model, replacing any before it; a zero r
// is kept and changes nothing. It refuses an empty model name and values
// out of range.
func (rs *Regressions) Set(model string, r Regression) error {
	if rs == nil {
		return errors.New("mock: set regression: no regression set configured")
	}
	if model == "" {
		return errors.New("mock: set regression: model name is required")
	}
	if err := r.validate(); err != nil {
		return fmt.Errorf("mock: set regression of %q: %w", model, err)
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.byModel == nil {
		rs.byModel = map[string]Regression{}
	}
	rs.byModel[model] = r
	return nil
}

// Clear removes model's regression, restoring its configured behaviour.
func (rs *Regressions) Clear(model string) {
	if rs == nil {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	delete(rs.byModel, model)
}

// ClearAll removes every regression.
func (rs *Regressions) ClearAll() {
	if rs == nil {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.byModel = nil
}

// Get returns model's regression and whether one is set.
func (rs *Regressions) Get(model string) (Regression, bool) {
	if rs == nil {
		return Regression{}, false
	}
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	r, ok := rs.byModel[model]
	return r, ok
}

// All returns a copy of every regression by model name, for a control
// endpoint to list.
func (rs *Regressions) All() map[string]Regression {
	out := map[string]Regression{}
	if rs == nil {
		return out
	}
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	for model, r := range rs.byModel {
		out[model] = r
	}
	return out
}

// firstByteDelay is the wait before a call's first byte: FirstByteDelay
// plus the model's regression ExtraLatency.
func (m *Mock) firstByteDelay(model string) time.Duration {
	d := m.opts.FirstByteDelay
	if r, ok := m.opts.Regressions.Get(model); ok {
		d += r.ExtraLatency
	}
	return d
}

// regressionFailure returns the error an injected error rate fails req
// with, or nil when req is spared.
func (m *Mock) regressionFailure(req *chat.Request) error {
	r, ok := m.opts.Regressions.Get(req.Model)
	if !ok || r.ErrorPercent == 0 {
		return nil
	}
	a, b := saltedSeed(saltFault, req.Model, req.Messages, 0)
	if rand.New(rand.NewPCG(a, b)).Float64()*100 >= float64(r.ErrorPercent) {
		return nil
	}
	e := injected(http.StatusInternalServerError)
	e.Message = regressionMessage
	return e
}
