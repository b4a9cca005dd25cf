package verify

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/recommend"
)

// Shadow evaluations as package evalplan and evalwork name them. They are
// repeated here, pinned by a test, so the drift function does not link
// evalplan and, through it, the provider and secrets packages.
const (
	// liveBaseline is the baseline of a run scored against the answers
	// live traffic got (evalplan.LiveBaseline).
	liveBaseline = "live"
	// shadowSource prefixes the source of a run over an alias's shadow
	// samples: "shadow:<alias>" (evalwork.KindShadow).
	shadowSource = "shadow:"
)

// shadowSample is what the shadow_score check needs of the shadow
// evaluations since an apply: the paired scores in the order they are fed
// to the confidence sequence, numbers only.
type shadowSample struct {
	// Old and Live are each scored item's two scores: the old model's
	// fresh answer (the run's candidate) and the live answer, which since
	// the apply the new model gave (the run's baseline).
	Old, Live []float64
	// Runs counts the runs read; From and To span their creation times.
	Runs     int
	From, To time.Time
	// Limit is the most results read; Capped says more were there.
	Limit  int
	Capped bool
}

// runLists holds each workspace's recent runs for one Step, so a
// workspace with several live recommendations is listed once per pass.
type runLists map[string][]evalrun.Run

// shadow returns the shadow evaluations of r since its apply, or nil when
// there are none: the most recent runs first, at most cfg.MaxShadowRuns
// of them holding at most cfg.MaxShadowResults scored results.
func (v *Verifier) shadow(ctx context.Context, db *dynamodb.Client, org string, r recommend.Recommendation, lists runLists) (*shadowSample, error) {
	runs, ok := lists[r.Workspace]
	if !ok {
		var err error
		if runs, err = v.cfg.Runs.List(ctx, db, org, r.Workspace, evalrun.MaxList); err != nil {
			return nil, fmt.Errorf("list evaluation runs: %w", err)
		}
		lists[r.Workspace] = runs
	}
	var s *shadowSample
	for _, run := range runs { // newest first
		if !shadowOf(run, r) {
			continue
		}
		if s != nil && len(s.Old) >= s.Limit {
			s.Capped = true
			break
		}
		results, err := v.cfg.Runs.Results(ctx, db, org, run.ID)
		if err != nil {
			return nil, fmt.Errorf("read results of evaluation run %s: %w", run.ID, err)
		}
		if len(results) == 0 && run.State != evalrun.Completed {
			continue // a running run with nothing scored yet says nothing
		}
		if s == nil {
			s = &shadowSample{Limit: v.cfg.MaxShadowResults}
		}
		s.add(run, results)
		if s.Runs >= v.cfg.MaxShadowRuns {
			break
		}
	}
	return s, nil
}

// shadowOf says run scores r's old model against r's alias's live answers
// since r's apply: a shadow run of the alias with the live baseline, r's
// baseline as its candidate, created after the apply, and completed or
// still running (a cancelled or failed run is left out like any stopped
// evaluation).
func shadowOf(run evalrun.Run, r recommend.Recommendation) bool {
	return run.Workspace == r.Workspace && run.Source == shadowSource+r.Alias &&
		run.Baseline == liveBaseline && run.Candidate == r.Baseline && run.Created.After(r.Apply.At) &&
		(run.State == evalrun.Completed || run.State == evalrun.Running)
}

// add takes run's scored results, up to s.Limit in all.
func (s *shadowSample) add(run evalrun.Run, results []evalrun.Result) {
	at := run.Created.UTC()
	if s.Runs == 0 || at.Before(s.From) {
		s.From = at
	}
	if s.Runs == 0 || at.After(s.To) {
		s.To = at
	}
	s.Runs++
	for _, res := range scoredPrefix(results) {
		if len(s.Old) >= s.Limit {
			s.Capped = true
			return
		}
		s.Old, s.Live = append(s.Old, res.Candidate), append(s.Live, res.Baseline)
	}
}

// scoredPrefix is the scored results of the longest run of items, in item
// order from the first, that all have an outcome; errored and
// dead-lettered items are left out. It stops at a gap as
// recommend.Evaluate does: items still outstanding are often the slow,
// long ones, and the sequence wants items in an order unrelated to their
// content.
func scoredPrefix(results []evalrun.Result) []evalrun.Result {
	sorted := slices.Clone(results)
	slices.SortFunc(sorted, func(a, b evalrun.Result) int { return cmp.Compare(a.Index, b.Index) })
	var out []evalrun.Result
	for i, res := range sorted {
		if res.Index != int64(i) {
			break
		}
		if res.Dead || res.Error != "" {
			continue
		}
		out = append(out, res)
	}
	return out
}
