package drift

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// orgWork is one org's share of a run, and what it did.
type orgWork struct {
	job       *Job
	org       string
	windowEnd time.Time // the pass's recent window end
	now       time.Time // the invocation's clock
	stop      func() bool

	models, detected, written int
}

// steps this job runs for each org.
func (j *Job) steps() []step {
	if j.cfg.Also == nil {
		return steps[:1]
	}
	return steps
}

// run does the org's steps from cp.Step on, saving cp after each unit of
// work. It returns false, with cp saved, when stop paused it.
func (w *orgWork) run(ctx context.Context, cp *checkpoint) (bool, error) {
	sc, err := w.job.cfg.Tenants.For(ctx, w.org)
	if err != nil {
		return false, fmt.Errorf("tenant session: %w", err)
	}
	todo := w.job.steps()
	first := slices.Index(todo, cp.Step)
	if first < 0 { // an unknown step (older or newer checkpoint) starts the org over: every step is idempotent
		cp.startOrg(w.org)
		first = 0
	}
	for i := first; i < len(todo); i++ {
		cp.Step = todo[i]
		switch cp.Step {
		case stepDrift:
			done, err := w.drift(ctx, sc, cp)
			if err != nil || !done {
				return false, err
			}
		case stepAlso:
			if err := w.job.cfg.Also(ctx, w.org, sc, w.now); err != nil {
				return false, fmt.Errorf("%s step: %w", stepAlso, err)
			}
		}
		if i+1 < len(todo) {
			cp.Step = todo[i+1]
			if err := w.job.saveCheckpoint(ctx, *cp); err != nil {
				return false, err
			}
			if w.stop() {
				return false, nil
			}
		}
	}
	return true, nil
}

// drift compares each of the org's models in use, one model per unit of
// work, resuming at cp.ModelsDone.
func (w *orgWork) drift(ctx context.Context, sc *tenant.Scoped, cp *checkpoint) (bool, error) {
	db := sc.DynamoDB
	reference, recent := w.job.windows(w.windowEnd)
	if !cp.Listed {
		models, err := w.modelsInUse(ctx, db, reference.Start, recent.End)
		if err != nil {
			return false, err
		}
		cp.Models, cp.Listed, cp.ModelsDone = models, true, 0
		if err := w.job.saveCheckpoint(ctx, *cp); err != nil {
			return false, err
		}
		if len(models) > 0 && w.stop() {
			return false, nil
		}
	}
	opts := w.job.cfg.Options
	opts.Family = len(Metrics) * max(len(cp.Models), 1)
	for cp.ModelsDone < len(cp.Models) {
		model := cp.Models[cp.ModelsDone]
		ref, err := w.read(ctx, db, reference, model, w.job.cfg.ReferenceLimit)
		if err != nil {
			return false, err
		}
		rec, err := w.read(ctx, db, recent, model, w.job.cfg.RecentLimit)
		if err != nil {
			return false, err
		}
		for _, f := range Compare(ref, rec, opts) {
			f.DetectedAt = w.now
			created, err := w.job.flags.Put(ctx, db, w.org, f)
			if err != nil {
				return false, err
			}
			w.detected++
			if created {
				w.written++
				w.job.cfg.Logger.InfoContext(ctx, "drift flagged", "org", w.org, "model", model, "metric", string(f.Metric),
					"statistic", f.Statistic.Name, "value", f.Statistic.Value, "p", f.Statistic.P,
					"reference_mean", f.Reference.Mean, "recent_mean", f.Recent.Mean, "relative", f.Relative,
					"standardized", f.Standardized, "n_reference", f.Reference.N, "n_recent", f.Recent.N)
			}
		}
		w.models++
		cp.ModelsDone++
		if err := w.job.saveCheckpoint(ctx, *cp); err != nil {
			return false, err
		}
		if cp.ModelsDone < len(cp.Models) && w.stop() {
			return false, nil
		}
	}
	return true, nil
}

// modelsInUse are the provider/model values of the org's daily model
// aggregates on the days [from, to) touches, sorted.
func (w *orgWork) modelsInUse(ctx context.Context, db *dynamodb.Client, from, to time.Time) ([]string, error) {
	aggs, err := w.job.cfg.Traces.Aggregates(ctx, db, w.org, from, to, trace.DimModel)
	if err != nil {
		return nil, fmt.Errorf("models in use: %w", err)
	}
	seen := map[string]bool{}
	var models []string
	for _, a := range aggs {
		if a.Requests > 0 && a.Value != "" && !seen[a.Value] {
			seen[a.Value] = true
			models = append(models, a.Value)
		}
	}
	sort.Strings(models)
	return models, nil
}

// read returns model's calls in win: the window in slices of cfg.Slice
// from its end back, each read newest first up to its share of limit,
// with feedback scores joined.
func (w *orgWork) read(ctx context.Context, db *dynamodb.Client, win Window, model string, limit int) (Window, error) {
	win.Model = model
	slice := w.job.cfg.Slice
	span := win.End.Sub(win.Start)
	n := int((span + slice - 1) / slice)
	per := (limit + n - 1) / n
	for k := 0; k < n; k++ {
		to := win.End.Add(-time.Duration(k) * slice)
		from := to.Add(-slice)
		if from.Before(win.Start) {
			from = win.Start
		}
		got, cursor := 0, ""
		for got < per {
			page, next, err := w.job.cfg.Traces.List(ctx, db, w.org, trace.Query{
				From: from, To: to, Model: model, Limit: min(per-got, 1000), Cursor: cursor,
			})
			if err != nil {
				return win, fmt.Errorf("read %s calls of %s: %w", model, from.Format(time.RFC3339), err)
			}
			for i := range page {
				win.Calls = append(win.Calls, CallOf(&page[i]))
			}
			got += len(page)
			if next == "" {
				break
			}
			cursor = next
		}
		if got >= per {
			win.Sampled = true
		}
	}
	if w.job.cfg.Feedback == nil || len(win.Calls) == 0 {
		return win, nil
	}
	ids := make([]string, len(win.Calls))
	for i, c := range win.Calls {
		ids[i] = c.TraceID
	}
	scores, err := w.job.cfg.Feedback.Get(ctx, db, w.org, ids)
	if err != nil {
		return win, fmt.Errorf("read feedback of %s: %w", model, err)
	}
	for i := range win.Calls {
		if sc, ok := scores[win.Calls[i].TraceID]; ok {
			win.Calls[i].Score, win.Calls[i].Scored = sc.Value, true
		}
	}
	return win, nil
}
