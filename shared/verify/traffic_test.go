package verify_test

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// stream is an alias's synthetic traffic: per-call distributions whose
// parameters a test changes to inject a regression.
type stream struct {
	model     workspace.Target
	errRate   float64
	latencyMS float64 // median of successful calls (lognormal, σ 0.5)
	costNano  float64 // median cost of successful calls (lognormal, σ 0.4)
	score     float64 // mean feedback score (normal, sd 0.15, clamped to [0, 1])
	rated     float64 // share of calls with feedback
}

// baselineTraffic is the alias before the change: 2 % errors, 800 ms,
// 2,000 nano-USD per call, scores around 0.8, half of the calls rated.
func baselineTraffic() stream {
	return stream{model: baseline, errRate: 0.02, latencyMS: 800, costNano: 2000, score: 0.8, rated: 0.5}
}

// candidateTraffic is the alias after the change behaving as predicted:
// the same errors, latency and scores at a quarter of the cost.
func candidateTraffic() stream {
	s := baselineTraffic()
	s.model = candidate
	s.costNano *= float64(predicted.CandidatePerRequestNano) / float64(predicted.BaselinePerRequestNano)
	return s
}

// call draws one call of s at time at, and its feedback score if rated.
func (s stream) call(rng *rand.Rand, at time.Time) (trace.Trace, float64, bool) {
	t := trace.Trace{ID: id.New(id.Trace), Source: "gateway", Time: at, Provider: s.model.Connection,
		Model: s.model.Model, Status: trace.StatusOK, TokensIn: 600}
	if rng.Float64() < s.errRate {
		t.Status, t.ErrorCode, t.LatencyMS = trace.StatusError, "provider_error", 200
	} else {
		t.TokensOut = 200
		t.LatencyMS = int64(math.Round(math.Exp(math.Log(s.latencyMS) + 0.5*rng.NormFloat64())))
		t.CostNano = int64(math.Round(math.Exp(math.Log(s.costNano) + 0.4*rng.NormFloat64())))
	}
	if rng.Float64() >= s.rated {
		return t, 0, false
	}
	return t, min(max(s.score+0.15*rng.NormFloat64(), 0), 1), true
}

// record writes n calls of s on rec's alias spread evenly over
// [from, from+span), with their feedback, through the org's session.
func (e *env) record(t *testing.T, rec recommend.Recommendation, s stream, from time.Time, span time.Duration, n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x7e57))
	type item struct {
		tr    trace.Trace
		score float64
		rated bool
	}
	items := make([]item, n)
	for i := range items {
		tr, score, rated := s.call(rng, from.Add(span*time.Duration(2*i+1)/time.Duration(2*n)))
		tr.Org, tr.Workspace, tr.Alias = e.org, rec.Workspace, rec.Alias
		items[i] = item{tr, score, rated}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	sem := make(chan struct{}, 16)
	for _, it := range items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if _, err := e.traces.Record(e.ctx, e.sc.DynamoDB, &it.tr, 90*24*time.Hour); err != nil {
				errs <- err
				return
			}
			if it.rated {
				errs <- e.fb.Put(e.ctx, e.sc.DynamoDB, e.org, feedback.Score{TraceID: it.tr.ID, Workspace: rec.Workspace,
					Value: it.score, Source: feedback.SourceGateway, Time: it.tr.Time.Add(time.Minute)})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Traffic volumes: 240 calls in the week before the change, 200 in the
// two days after it.
const (
	beforeCalls = 240
	afterCalls  = 200
	afterSpan   = 48 * time.Hour
)

// traffic records the baseline's week before rec's apply and after's two
// days after it.
func (e *env) traffic(t *testing.T, rec recommend.Recommendation, after stream, seed uint64) {
	t.Helper()
	e.record(t, rec, baselineTraffic(), tApply.Add(-7*24*time.Hour), 7*24*time.Hour, beforeCalls, seed)
	e.record(t, rec, after, tApply, afterSpan, afterCalls, seed+1000)
}
