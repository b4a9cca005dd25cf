package evalplan

import (
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/evalcall"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/route"
	"github.com/tollgate-dev/tollgate/shared/score"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// LiveBaseline is the baseline of a run that compares a candidate with the
// answers live traffic already got (shadow samples); it costs nothing.
const LiveBaseline = "live"

// Limits of one run.
const (
	// MaxItems bounds the items of one run.
	MaxItems = 5000
	// DefaultOutputTokens is the output ceiling of baseline and candidate
	// calls when the request sets none.
	DefaultOutputTokens = 1024
)

// Spec is what a run is asked to do.
type Spec struct {
	Baseline  string // a model or alias of the workspace, or "live"
	Candidate string
	Source    string
	Scorer    ScorerConfig
	// SampleSize is how many items to take (0: all, up to MaxItems).
	SampleSize int
	// MaxOutputTokens is the ceiling of every baseline and candidate call.
	MaxOutputTokens int64
	// CapNano bounds the run's spend; required.
	CapNano int64
}

// Estimate is a run's worst case, by role.
type Estimate struct {
	Items         int   `json:"items"`
	Calls         int64 `json:"calls"`
	PromptTokens  int64 `json:"prompt_tokens"`
	OutputTokens  int64 `json:"output_tokens"`
	BaselineNano  int64 `json:"baseline_nano"`
	CandidateNano int64 `json:"candidate_nano"`
	JudgeNano     int64 `json:"judge_nano"`
	TotalNano     int64 `json:"total_nano"`
	// JudgeModel is the judge the run will use (judge scorers).
	JudgeModel string `json:"judge_model,omitempty"`
}

// OutputCeiling is the ceiling the run stores and its workers apply:
// MaxOutputTokens, or DefaultOutputTokens when unset.
func (s Spec) OutputCeiling() int64 {
	if s.MaxOutputTokens == 0 {
		return DefaultOutputTokens
	}
	return s.MaxOutputTokens
}

// Check validates spec on its own, before any item is read.
func (s Spec) Check() error {
	switch {
	case s.Baseline == "":
		return invalid("invalid_target", "baseline", "baseline and candidate are required")
	case s.Candidate == "":
		return invalid("invalid_target", "candidate", "baseline and candidate are required")
	case s.Candidate == LiveBaseline:
		return invalid("invalid_target", "candidate", `the candidate must be a model, not "live"`)
	case s.CapNano <= 0:
		return invalid("invalid_cap", "cap_nano", "cap_nano is required and must be positive")
	case s.SampleSize < 0 || s.SampleSize > MaxItems:
		return invalid("invalid_sample_size", "sample_size", fmt.Sprintf("sample_size must be within 0 (all) and %d", MaxItems))
	case s.MaxOutputTokens < 0 || s.MaxOutputTokens > workspace.MaxOutputTokensCap:
		return invalid("invalid_max_output_tokens", "max_output_tokens", "max_output_tokens is out of range")
	}
	if s.Scorer.Mode == ModePairwise && !s.Scorer.IsJudge() {
		return invalid("invalid_scorer", "scorer.mode", "only the judge scorer compares pairs")
	}
	_, err := s.Scorer.Build(nopCompleter{}, "judge-model")
	return err
}

func invalid(code, param, msg string) error {
	return apperr.New(apperr.Invalid, code, msg).WithParam(param)
}

// Item is what the estimate needs of one item.
type Item struct {
	score.Item
	// Live is set when the item has a live answer (the "live" baseline).
	Live bool
}

// Plan resolves spec's targets in snap and bounds its cost on items. It
// returns the judge model it picked when the spec named none.
func Plan(snap *workspace.Snapshot, spec Spec, items []Item, mockEnabled bool) (Estimate, error) {
	if err := spec.Check(); err != nil {
		return Estimate{}, err
	}
	candidate, err := resolve(snap, spec.Candidate, "candidate", mockEnabled)
	if err != nil {
		return Estimate{}, err
	}
	var baseline *route.Route
	if spec.Baseline != LiveBaseline {
		rt, err := resolve(snap, spec.Baseline, "baseline", mockEnabled)
		if err != nil {
			return Estimate{}, err
		}
		baseline = &rt
	}
	est := Estimate{Items: len(items)}
	var judge *score.Judge
	var judgeRoute route.Route
	if spec.Scorer.IsJudge() {
		est.JudgeModel = spec.Scorer.JudgeModel
		if est.JudgeModel == "" {
			est.JudgeModel = score.DefaultJudgeModel(candidate.Target.String(), judgeChoices(snap, mockEnabled))
		}
		if est.JudgeModel == "" {
			return Estimate{}, invalid("no_judge_model", "scorer.judge_model", "no model is available to judge; name one in scorer.judge_model")
		}
		if judgeRoute, err = resolve(snap, est.JudgeModel, "scorer.judge_model", mockEnabled); err != nil {
			return Estimate{}, err
		}
		if judge, err = score.NewJudge(nopCompleter{}, est.JudgeModel, spec.Scorer.Rubric); err != nil {
			return Estimate{}, err
		}
	}
	ceiling := spec.OutputCeiling()
	add := func(rt route.Route, prompt, out int64) int64 {
		out = evalcall.Ceiling(rt, snap, out)
		est.Calls++
		est.PromptTokens += prompt
		est.OutputTokens += out
		return int64(rt.Price.WorstCase(prompt, out))
	}
	for _, it := range items {
		if !it.Live && spec.Baseline == LiveBaseline {
			return Estimate{}, invalid("no_live_answer", "baseline", `the "live" baseline needs a source with live answers (shadow:<alias>)`)
		}
		prompt := pricing.PromptTokenBound(&chat.Request{Messages: it.Messages})
		if baseline != nil {
			est.BaselineNano += add(*baseline, prompt, ceiling)
		}
		est.CandidateNano += add(candidate, prompt, ceiling)
		if judge == nil {
			continue
		}
		out := evalcall.Ceiling(candidate, snap, ceiling)
		if baseline != nil {
			out = max(out, evalcall.Ceiling(*baseline, snap, ceiling))
		}
		// Two judge calls an item: both orders of a pair, or the
		// baseline's grade and the candidate's.
		jc := judge.GradeBound(it.Item, out)
		if spec.Scorer.Mode == ModePairwise {
			jc = judge.PairBound(it.Item, out)
		}
		for range 2 {
			est.JudgeNano += add(judgeRoute, jc.PromptTokens, jc.MaxTokens)
		}
	}
	est.TotalNano = est.BaselineNano + est.CandidateNano + est.JudgeNano
	return est, nil
}

func resolve(snap *workspace.Snapshot, model, param string, mockEnabled bool) (route.Route, error) {
	_, routes, err := route.Resolve(snap, model, mockEnabled)
	if e := apperr.As(err); err != nil {
		return route.Route{}, apperr.New(e.Kind, e.Code, param+": "+e.Message).WithParam(param)
	}
	return routes[0], nil
}

// judgeChoices are the models a default judge is picked from: each
// connection's priced models, in a stable order.
func judgeChoices(snap *workspace.Snapshot, mockEnabled bool) []string {
	var out []string
	for _, conn := range sortedConnections(route.Connections(snap, mockEnabled)) {
		for _, m := range judgePreference[conn.Kind] {
			if _, ok := snap.Prices.Lookup(conn.Kind, m); ok {
				out = append(out, conn.Name+"/"+m)
			}
		}
	}
	return out
}
