package recommend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/stats"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// MaxExcludedFraction is the largest share of a prefix's items that may
// lack scores (errored or dead-lettered) for it still to support a
// recommendation: the missing items could be the ones the candidate fails.
const MaxExcludedFraction = 0.05

// Method names the bound that decides, with its source.
const Method = "predictable plug-in empirical-Bernstein confidence sequence " +
	"(Waudby-Smith & Ramdas, JRSS-B 2024, Thm. 2), running maximum of its lower bound"

// Client is the org-scoped DynamoDB client the decider reads and writes with.
type Client interface {
	DB
	evalrun.DB
	trace.DB
	workspace.DB
}

// Results reads a run's item outcomes.
type Results interface {
	Results(ctx context.Context, db evalrun.DB, org, run string) ([]evalrun.Result, error)
}

// Aggregates reads the org's daily trace totals.
type Aggregates interface {
	Aggregates(ctx context.Context, db trace.DB, org string, from, to time.Time, dim string) ([]trace.Aggregate, error)
}

// Settings reads a workspace's settings (the margin δ).
type Settings interface {
	ReadSettings(ctx context.Context, db workspace.DB, org, ws string) (workspace.Settings, error)
}

// Decider decides after each chunk of a run whether its evidence supports
// a recommendation.
type Decider struct {
	Store      *Store
	Runs       Results
	Aggregates Aggregates
	Settings   Settings
	Logger     *slog.Logger
	// Alpha and MinN default to stats.DefaultAlpha and stats.DefaultMinN.
	Alpha float64
	MinN  int
	// WindowDays is the traffic the saving is projected from (default 30).
	WindowDays int
	Clock      func() time.Time
}

// Outcome is what one decision did.
type Outcome struct {
	Evidence Evidence
	// NonInferior says the evidence cleared the margin on enough items.
	NonInferior bool
	// Reason words the verdict with its numbers.
	Reason string
	// Recommendation is set when one exists for the run (new or earlier).
	Recommendation *Recommendation
	Created        bool
}

// Decide reads run's results, computes the evidence on the longest
// complete prefix and, when it clears the margin, creates the run's
// recommendation (once) or refreshes the numbers of its open one. final
// says the run has just completed. It is idempotent and safe to call from
// several workers at once.
func (d *Decider) Decide(ctx context.Context, db Client, run evalrun.Run, final bool) (Outcome, error) {
	var out Outcome
	if run.Candidate == run.BaselineTarget {
		out.Reason = "the candidate is the baseline"
		return out, nil
	}
	st, err := d.Settings.ReadSettings(ctx, db, run.Org, run.Workspace)
	if err != nil {
		return out, fmt.Errorf("read workspace settings: %w", err)
	}
	results, err := d.Runs.Results(ctx, db, run.Org, run.ID)
	if err != nil {
		return out, fmt.Errorf("read run results: %w", err)
	}
	delta := float64(st.MarginBP) / 10_000
	ev, paired := Evaluate(results, delta, d.alpha(), d.minN())
	ev.Final = final
	out.Evidence = ev
	out.NonInferior, out.Reason = verdict(ev)
	existing, found, err := d.Store.ForRun(ctx, db, run.Org, run.Workspace, run.ID)
	if err != nil {
		return out, err
	}
	if found {
		out.Recommendation = &existing
		if existing.State != Open || !out.NonInferior {
			return out, nil // an acted-on recommendation keeps the numbers it was acted on
		}
	}
	if !out.NonInferior {
		return out, nil
	}
	cost, err := d.cost(ctx, db, run, paired)
	if err != nil {
		return out, err
	}
	if cost.CandidatePerRequestNano >= cost.BaselinePerRequestNano && cost.BaselinePerRequestNano > 0 {
		out.NonInferior = false
		out.Reason = fmt.Sprintf("non-inferior but not cheaper: %d nano-USD per request against the baseline's %d",
			cost.CandidatePerRequestNano, cost.BaselinePerRequestNano)
		return out, nil
	}
	rec := Recommendation{Org: run.Org, Workspace: run.Workspace, Run: run.ID, Alias: run.Alias,
		Baseline: baselineName(run), Candidate: run.Candidate, Scorer: run.Scorer, Evidence: ev, Cost: cost}
	rec.Explanation = Explain(rec)
	if found {
		updated, err := d.Store.Update(ctx, db, existing, "system", "", func(r *Recommendation) {
			r.Evidence, r.Cost, r.Explanation = rec.Evidence, rec.Cost, rec.Explanation
		})
		if err != nil {
			if errors.Is(err, ErrChanged) {
				return out, nil // applied or refreshed meanwhile: keep theirs
			}
			return out, err
		}
		out.Recommendation = &updated
		return out, nil
	}
	created, isNew, err := d.Store.Create(ctx, db, rec)
	if err != nil {
		return out, err
	}
	out.Recommendation, out.Created = &created, isNew
	if isNew {
		d.logger().InfoContext(ctx, "recommendation created", "org", run.Org, "workspace", run.Workspace,
			"run", run.ID, "recommendation", created.ID, "n", ev.N, "lower", ev.Lower, "delta", ev.Delta)
	}
	return out, nil
}

func baselineName(run evalrun.Run) string {
	if run.BaselineTarget != "" {
		return run.BaselineTarget
	}
	return run.Baseline
}

func (d *Decider) alpha() float64 {
	if d.Alpha > 0 {
		return d.Alpha
	}
	return stats.DefaultAlpha
}

func (d *Decider) minN() int {
	if d.MinN > 0 {
		return d.MinN
	}
	return stats.DefaultMinN
}

func (d *Decider) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// Evaluate computes the evidence of results at margin delta and level
// alpha, and returns the paired items it used in item order. Items are
// taken in index order up to the first index with no outcome yet; items
// in that prefix without scores are excluded and counted.
func Evaluate(results []evalrun.Result, delta, alpha float64, minN int) (Evidence, []evalrun.Result) {
	sorted := slices.Clone(results)
	slices.SortFunc(sorted, func(a, b evalrun.Result) int { return int(a.Index - b.Index) })
	ev := Evidence{Delta: delta, Alpha: alpha, MinN: int64(max(minN, 1)), Method: Method, Lower: math.Inf(-1), TLower: math.Inf(-1)}
	var paired []evalrun.Result
	var diffs []float64
	seq := stats.NewSequence(alpha)
	for i, r := range sorted {
		if r.Index != int64(i) {
			break // a gap: later items wait until it has an outcome
		}
		if r.Dead || r.Error != "" {
			ev.Excluded++
			continue
		}
		paired = append(paired, r)
		diff := r.Candidate - r.Baseline
		diffs = append(diffs, diff)
		seq.Add(diff)
		ev.Lower = max(ev.Lower, seq.Lower())
		ev.MeanBaseline += r.Baseline
		ev.MeanCandidate += r.Candidate
	}
	ev.N = int64(len(paired))
	if ev.N == 0 {
		ev.Lower, ev.TLower = -1, -1
		return ev, nil
	}
	ev.MeanBaseline /= float64(ev.N)
	ev.MeanCandidate /= float64(ev.N)
	ev.MeanDiff = seq.Mean()
	ev.TLower = stats.PairedTLower(diffs, alpha)
	if math.IsInf(ev.TLower, 0) || math.IsNaN(ev.TLower) {
		ev.TLower = ev.MeanDiff // n = 1, or zero variance: the t bound is the mean itself
	}
	return ev, paired
}

// verdict applies the rule: bound above −δ, at least MinN items, and no
// more than MaxExcludedFraction of the prefix excluded.
func verdict(ev Evidence) (bool, string) {
	prefix := ev.N + ev.Excluded
	switch {
	case ev.N == 0:
		return false, fmt.Sprintf("no paired items yet; at least %d are needed", ev.MinN)
	case float64(ev.Excluded) > MaxExcludedFraction*float64(prefix):
		return false, fmt.Sprintf("%d of the first %d items could not be scored (more than %.0f%%); no recommendation rests on that",
			ev.Excluded, prefix, 100*MaxExcludedFraction)
	case ev.N < ev.MinN:
		return false, fmt.Sprintf("too few items: n = %d < minimum %d (mean difference %+.4f, anytime lower bound %+.4f, margin %+.4f)",
			ev.N, ev.MinN, ev.MeanDiff, ev.Lower, -ev.Delta)
	case ev.Lower > -ev.Delta:
		return true, fmt.Sprintf("non-inferior: anytime lower bound %+.4f > %+.4f after n = %d items", ev.Lower, -ev.Delta, ev.N)
	}
	return false, fmt.Sprintf("not shown non-inferior: anytime lower bound %+.4f <= %+.4f after n = %d items", ev.Lower, -ev.Delta, ev.N)
}
