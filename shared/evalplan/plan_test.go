package evalplan_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/evalplan"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/score"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

const (
	baselineModel  = "loop/gpt-4o"
	candidateModel = "loop/gpt-4o-mini"
	rubric         = "Is the answer correct and concise?"
)

// stubCompleter lets the test build the judge whose bounds Plan must use;
// it is never called.
type stubCompleter struct{}

func (stubCompleter) Complete(context.Context, *chat.Request) (*chat.Response, error) {
	panic("the planning judge is never called")
}

// snapshot is a workspace with one OpenAI connection named "loop" and the
// built-in prices, plus extra connections and price overrides.
func snapshot(t *testing.T, settings workspace.Settings, overrides map[string]pricing.Price, extra ...workspace.Connection) *workspace.Snapshot {
	t.Helper()
	prices, err := pricing.NewTable(overrides)
	if err != nil {
		t.Fatal(err)
	}
	conns := map[string]workspace.Connection{"loop": {Name: "loop", Kind: workspace.KindOpenAI}}
	for _, c := range extra {
		conns[c.Name] = c
	}
	return &workspace.Snapshot{
		Org: id.New(id.Org), Workspace: id.New(id.Workspace),
		Settings: settings, Connections: conns, Prices: prices,
	}
}

// price is the built-in price of a "kind/model" key.
func price(t *testing.T, key string) pricing.Price {
	t.Helper()
	kind, model, _ := strings.Cut(key, "/")
	p, ok := (*pricing.Table)(nil).Lookup(kind, model)
	if !ok {
		t.Fatalf("no built-in price for %s", key)
	}
	return p
}

func user(text string) chat.Message {
	return chat.Message{Role: chat.RoleUser, Content: chat.TextContent(text)}
}

// items are three conversations of different sizes, one with a reference
// answer (which lengthens its judge prompt).
func items(live bool) []evalplan.Item {
	return []evalplan.Item{
		{Item: score.Item{Messages: []chat.Message{user("hello")}}, Live: live},
		{Item: score.Item{Messages: []chat.Message{
			{Role: chat.RoleSystem, Content: chat.TextContent("You answer in one word.")},
			user("What is the capital of France?"),
		}, Reference: "Paris"}, Live: live},
		{Item: score.Item{Messages: []chat.Message{
			user(strings.Repeat("long question ", 300)),
			{Role: chat.RoleAssistant, Content: chat.TextContent("Could you clarify?")},
			user("Summarise it."),
		}}, Live: live},
	}
}

func spec(mut func(*evalplan.Spec)) evalplan.Spec {
	s := evalplan.Spec{
		Baseline: baselineModel, Candidate: candidateModel, Source: "dataset:golden",
		Scorer: evalplan.ScorerConfig{Type: "exact"}, CapNano: 1_000_000_000,
	}
	if mut != nil {
		mut(&s)
	}
	return s
}

// expected is the estimate computed by hand: every baseline and candidate
// call priced at its prompt bound and its output ceiling (the run's, the
// model's and the workspace's, whichever is lowest), and two judge calls
// per item priced at the judge's own bound.
func expected(t *testing.T, snap *workspace.Snapshot, sp evalplan.Spec, its []evalplan.Item, judgeModel string) evalplan.Estimate {
	t.Helper()
	capped := func(p pricing.Price, ceiling int64) int64 {
		out := min(ceiling, p.MaxOutput)
		if ws := snap.Settings.MaxOutputTokens; ws > 0 {
			out = min(out, ws)
		}
		return out
	}
	ceiling := sp.MaxOutputTokens
	if ceiling == 0 {
		ceiling = evalplan.DefaultOutputTokens
	}
	live := sp.Baseline == evalplan.LiveBaseline
	cp := price(t, "openai/"+strings.TrimPrefix(sp.Candidate, "loop/"))
	var bp pricing.Price
	if !live {
		bp = price(t, "openai/"+strings.TrimPrefix(sp.Baseline, "loop/"))
	}
	var judge *score.Judge
	var jp pricing.Price
	if sp.Scorer.IsJudge() {
		var err error
		if judge, err = score.NewJudge(stubCompleter{}, judgeModel, sp.Scorer.Rubric); err != nil {
			t.Fatal(err)
		}
		kind, model, _ := strings.Cut(judgeModel, "/")
		if kind == "loop" {
			kind = workspace.KindOpenAI
		}
		jp = price(t, kind+"/"+model)
	}
	est := evalplan.Estimate{Items: len(its)}
	if judge != nil {
		est.JudgeModel = judgeModel
	}
	for _, it := range its {
		prompt := pricing.PromptTokenBound(&chat.Request{Messages: it.Messages})
		out := capped(cp, ceiling)
		est.Calls++
		est.PromptTokens += prompt
		est.OutputTokens += out
		est.CandidateNano += int64(cp.WorstCase(prompt, out))
		if !live {
			bout := capped(bp, ceiling)
			est.Calls++
			est.PromptTokens += prompt
			est.OutputTokens += bout
			est.BaselineNano += int64(bp.WorstCase(prompt, bout))
			out = max(out, bout)
		}
		if judge == nil {
			continue
		}
		jc := judge.GradeBound(it.Item, out)
		if sp.Scorer.Mode == evalplan.ModePairwise {
			jc = judge.PairBound(it.Item, out)
		}
		est.Calls += 2
		est.PromptTokens += 2 * jc.PromptTokens
		est.OutputTokens += 2 * capped(jp, jc.MaxTokens)
		est.JudgeNano += 2 * int64(jp.WorstCase(jc.PromptTokens, capped(jp, jc.MaxTokens)))
	}
	est.TotalNano = est.BaselineNano + est.CandidateNano + est.JudgeNano
	return est
}

func wantCode(t *testing.T, err error, kind apperr.Kind, code, param string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	e := apperr.As(err)
	if e.Kind != kind || e.Code != code {
		t.Fatalf("error %v is %s/%s, want %s/%s", err, e.Kind, e.Code, kind, code)
	}
	if param != "" && e.Param != param {
		t.Fatalf("error %v names param %q, want %q", err, e.Param, param)
	}
}

func TestSpecCheck(t *testing.T) {
	judge := func(mode string) evalplan.ScorerConfig {
		return evalplan.ScorerConfig{Type: "judge", Rubric: rubric, Mode: mode}
	}
	for _, tc := range []struct {
		name  string
		mut   func(*evalplan.Spec)
		code  string // "" means valid
		param string
	}{
		{name: "exact", mut: nil},
		{name: "normalized", mut: func(s *evalplan.Spec) { s.Scorer.Type = "normalized" }},
		{name: "json_valid", mut: func(s *evalplan.Spec) { s.Scorer.Type = "json_valid" }},
		{name: "json_schema", mut: func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "json_schema", Schema: []byte(`{"type":"object","required":["a"]}`)}
		}},
		{name: "regex", mut: func(s *evalplan.Spec) { s.Scorer = evalplan.ScorerConfig{Type: "regex", Pattern: `^\d+$`} }},
		{name: "judge default mode", mut: func(s *evalplan.Spec) { s.Scorer = judge("") }},
		{name: "judge grade", mut: func(s *evalplan.Spec) { s.Scorer = judge(evalplan.ModeGrade) }},
		{name: "judge pairwise", mut: func(s *evalplan.Spec) { s.Scorer = judge(evalplan.ModePairwise) }},
		{name: "live baseline", mut: func(s *evalplan.Spec) { s.Baseline = evalplan.LiveBaseline }},
		{name: "sample size at its bound", mut: func(s *evalplan.Spec) { s.SampleSize = evalplan.MaxItems }},
		{name: "max output tokens at its bound", mut: func(s *evalplan.Spec) { s.MaxOutputTokens = workspace.MaxOutputTokensCap }},
		{name: "cap of one nano", mut: func(s *evalplan.Spec) { s.CapNano = 1 }},

		{name: "no candidate", mut: func(s *evalplan.Spec) { s.Candidate = "" }, code: "invalid_target"},
		{name: "no baseline", mut: func(s *evalplan.Spec) { s.Baseline = "" }, code: "invalid_target", param: "baseline"},
		{name: "live candidate", mut: func(s *evalplan.Spec) { s.Candidate = evalplan.LiveBaseline }, code: "invalid_target", param: "candidate"},
		{name: "no cap", mut: func(s *evalplan.Spec) { s.CapNano = 0 }, code: "invalid_cap", param: "cap_nano"},
		{name: "negative cap", mut: func(s *evalplan.Spec) { s.CapNano = -1 }, code: "invalid_cap", param: "cap_nano"},
		{name: "negative sample size", mut: func(s *evalplan.Spec) { s.SampleSize = -1 }, code: "invalid_sample_size", param: "sample_size"},
		{name: "sample size over the bound", mut: func(s *evalplan.Spec) { s.SampleSize = evalplan.MaxItems + 1 }, code: "invalid_sample_size", param: "sample_size"},
		{name: "negative max output tokens", mut: func(s *evalplan.Spec) { s.MaxOutputTokens = -1 }, code: "invalid_max_output_tokens", param: "max_output_tokens"},
		{name: "max output tokens over the bound", mut: func(s *evalplan.Spec) { s.MaxOutputTokens = workspace.MaxOutputTokensCap + 1 }, code: "invalid_max_output_tokens", param: "max_output_tokens"},
		{name: "pairwise exact", mut: func(s *evalplan.Spec) { s.Scorer.Mode = evalplan.ModePairwise }, code: "invalid_scorer", param: "scorer.mode"},
		{name: "pairwise regex", mut: func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "regex", Pattern: "x", Mode: evalplan.ModePairwise}
		}, code: "invalid_scorer", param: "scorer.mode"},
		{name: "no scorer type", mut: func(s *evalplan.Spec) { s.Scorer.Type = "" }, code: "invalid_scorer", param: "scorer.type"},
		{name: "unknown scorer type", mut: func(s *evalplan.Spec) { s.Scorer.Type = "bleu" }, code: "invalid_scorer", param: "scorer.type"},
		{name: "empty regex", mut: func(s *evalplan.Spec) { s.Scorer = evalplan.ScorerConfig{Type: "regex"} }, code: score.CodeInvalidPattern},
		{name: "invalid regex", mut: func(s *evalplan.Spec) { s.Scorer = evalplan.ScorerConfig{Type: "regex", Pattern: "(a"} }, code: score.CodeInvalidPattern},
		{name: "missing schema", mut: func(s *evalplan.Spec) { s.Scorer = evalplan.ScorerConfig{Type: "json_schema"} }, code: score.CodeInvalidSchema},
		{name: "schema not JSON", mut: func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "json_schema", Schema: []byte(`{"type":`)}
		}, code: score.CodeInvalidSchema},
		{name: "schema not a schema", mut: func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "json_schema", Schema: []byte(`{"type":5}`)}
		}, code: score.CodeInvalidSchema},
		{name: "judge without rubric", mut: func(s *evalplan.Spec) { s.Scorer = evalplan.ScorerConfig{Type: "judge"} }, code: score.CodeInvalidScorer, param: "rubric"},
		{name: "judge rubric too long", mut: func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: strings.Repeat("r", score.MaxRubricBytes+1)}
		}, code: score.CodeInvalidScorer, param: "rubric"},
		{name: "judge unknown mode", mut: func(s *evalplan.Spec) { s.Scorer = judge("tournament") }, code: "invalid_scorer", param: "scorer.mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := spec(tc.mut).Check()
			if tc.code == "" {
				if err != nil {
					t.Fatalf("valid spec refused: %v", err)
				}
				return
			}
			wantCode(t, err, apperr.Invalid, tc.code, tc.param)
		})
	}
}

// TestPlanLiteral pins one estimate to numbers worked out on paper, so the
// hand computation the other tests share cannot drift with the code.
func TestPlanLiteral(t *testing.T) {
	snap := snapshot(t, workspace.Settings{}, nil)
	est, err := evalplan.Plan(snap, spec(nil), []evalplan.Item{{Item: score.Item{Messages: []chat.Message{user("hello")}}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	// Prompt bound: 16 per request + 8 per message + len("user") + len("hello") = 33.
	// gpt-4o-mini: ceil(33×150000/1000) + 1024×600000/1000 = 4950 + 614400.
	// gpt-4o: 33×2500000/1000 + 1024×10000000/1000 = 82500 + 10240000.
	want := evalplan.Estimate{
		Items: 1, Calls: 2, PromptTokens: 66, OutputTokens: 2048,
		BaselineNano: 10_322_500, CandidateNano: 619_350, TotalNano: 10_941_850,
	}
	if est != want {
		t.Fatalf("estimate %+v, want %+v", est, want)
	}
}

func TestPlanMatchesHandComputation(t *testing.T) {
	judge := func(mode, model string) func(*evalplan.Spec) {
		return func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: rubric, Mode: mode, JudgeModel: model}
		}
	}
	for _, tc := range []struct {
		name      string
		settings  workspace.Settings
		mut       func(*evalplan.Spec)
		live      bool
		mock      bool
		judge     string // the judge model Plan must pick
		itemCount int    // 0: the three items; -1: none
	}{
		{name: "exact, default ceiling"},
		{name: "exact, run ceiling", mut: func(s *evalplan.Spec) { s.MaxOutputTokens = 200 }},
		{name: "run ceiling above the models'", mut: func(s *evalplan.Spec) {
			s.MaxOutputTokens, s.Baseline, s.Candidate = 50_000, "loop/gpt-4.1", "loop/gpt-4o-mini"
		}},
		{name: "workspace ceiling", settings: workspace.Settings{MaxOutputTokens: 300}},
		{name: "workspace ceiling above the run's", settings: workspace.Settings{MaxOutputTokens: 5000},
			mut: func(s *evalplan.Spec) { s.MaxOutputTokens = 700 }},
		{name: "judge grade, default judge", mut: judge("", ""), judge: "loop/gpt-4.1"},
		{name: "judge grade, explicit judge", mut: judge(evalplan.ModeGrade, "loop/gpt-5-mini"), judge: "loop/gpt-5-mini"},
		{name: "judge pairwise", mut: judge(evalplan.ModePairwise, "loop/gpt-4.1"), judge: "loop/gpt-4.1"},
		{name: "judge pairwise, mock judge", mut: judge(evalplan.ModePairwise, ""), mock: true, judge: "mock/mock-large"},
		{name: "judge under a workspace ceiling below its own", settings: workspace.Settings{MaxOutputTokens: 150},
			mut: judge(evalplan.ModeGrade, ""), mock: true, judge: "mock/mock-large"},
		{name: "judge with a large run ceiling", mut: func(s *evalplan.Spec) {
			judge(evalplan.ModeGrade, "")(s)
			s.MaxOutputTokens, s.Baseline = 20_000, "loop/gpt-4.1" // the baseline's ceiling is the larger
		}, judge: "loop/gpt-4.1"},
		{name: "live baseline", mut: func(s *evalplan.Spec) { s.Baseline = evalplan.LiveBaseline }, live: true},
		{name: "live baseline, judge pairwise", mut: func(s *evalplan.Spec) {
			judge(evalplan.ModePairwise, "")(s)
			s.Baseline = evalplan.LiveBaseline
		}, live: true, mock: true, judge: "mock/mock-large"},
		{name: "no items", itemCount: -1},
		{name: "no items, judge", mut: judge("", ""), itemCount: -1, judge: "loop/gpt-4.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := snapshot(t, tc.settings, nil)
			sp := spec(tc.mut)
			its := items(tc.live)
			if tc.itemCount < 0 {
				its = nil
			}
			got, err := evalplan.Plan(snap, sp, its, tc.mock)
			if err != nil {
				t.Fatal(err)
			}
			want := expected(t, snap, sp, its, tc.judge)
			if got != want {
				t.Fatalf("estimate\n got %+v\nwant %+v", got, want)
			}
			if len(its) > 0 && (got.CandidateNano == 0 || got.TotalNano == 0) {
				t.Fatalf("a run with items costs nothing: %+v", got)
			}
		})
	}
}

func TestPlanCallCounts(t *testing.T) {
	n := int64(len(items(false)))
	for _, tc := range []struct {
		name  string
		mut   func(*evalplan.Spec)
		live  bool
		calls int64
	}{
		{name: "baseline and candidate", calls: 2 * n},
		{name: "live baseline", mut: func(s *evalplan.Spec) { s.Baseline = evalplan.LiveBaseline }, live: true, calls: n},
		{name: "judge grade", mut: func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: rubric}
		}, calls: 4 * n},
		{name: "judge pairwise", mut: func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: rubric, Mode: evalplan.ModePairwise}
		}, calls: 4 * n},
		{name: "live baseline, judge grade", mut: func(s *evalplan.Spec) {
			s.Scorer, s.Baseline = evalplan.ScorerConfig{Type: "judge", Rubric: rubric}, evalplan.LiveBaseline
		}, live: true, calls: 3 * n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			est, err := evalplan.Plan(snapshot(t, workspace.Settings{}, nil), spec(tc.mut), items(tc.live), true)
			if err != nil {
				t.Fatal(err)
			}
			if est.Calls != tc.calls || est.Items != int(n) {
				t.Fatalf("%d calls for %d items, want %d for %d", est.Calls, est.Items, tc.calls, n)
			}
			if tc.live && est.BaselineNano != 0 {
				t.Fatalf("the live baseline costs %d", est.BaselineNano)
			}
			if !tc.live && est.BaselineNano == 0 {
				t.Fatal("the baseline costs nothing")
			}
			if judged := spec(tc.mut).Scorer.IsJudge(); judged != (est.JudgeNano > 0) || judged != (est.JudgeModel != "") {
				t.Fatalf("judge scorer %v, judge cost %d, judge model %q", judged, est.JudgeNano, est.JudgeModel)
			}
		})
	}
}

func TestPlanWorkspaceCeilingLowersTheTotal(t *testing.T) {
	sp := spec(func(s *evalplan.Spec) { s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: rubric} })
	open, err := evalplan.Plan(snapshot(t, workspace.Settings{}, nil), sp, items(false), false)
	if err != nil {
		t.Fatal(err)
	}
	snap := snapshot(t, workspace.Settings{MaxOutputTokens: 64}, nil)
	capped, err := evalplan.Plan(snap, sp, items(false), false)
	if err != nil {
		t.Fatal(err)
	}
	if capped.BaselineNano >= open.BaselineNano || capped.CandidateNano >= open.CandidateNano ||
		capped.JudgeNano >= open.JudgeNano || capped.TotalNano >= open.TotalNano {
		t.Fatalf("a 64-token workspace ceiling did not lower every role's cost:\n open %+v\ncapped %+v", open, capped)
	}
	if want := expected(t, snap, sp, items(false), "loop/gpt-4.1"); capped.TotalNano != want.TotalNano {
		t.Fatalf("capped total %d, want %d", capped.TotalNano, want.TotalNano)
	}
	// Without a judge every output is counted at exactly the workspace's ceiling.
	plain, err := evalplan.Plan(snap, spec(nil), items(false), false)
	if err != nil {
		t.Fatal(err)
	}
	if plain.OutputTokens != 64*plain.Calls {
		t.Fatalf("%d output tokens for %d calls under a 64-token ceiling", plain.OutputTokens, plain.Calls)
	}
}

func TestPlanLiveBaselineNeedsLiveAnswers(t *testing.T) {
	its := items(true)
	its[1].Live = false
	for _, scorer := range []evalplan.ScorerConfig{
		{Type: "exact"},
		{Type: "judge", Rubric: rubric, Mode: evalplan.ModePairwise},
	} {
		t.Run(scorer.Type, func(t *testing.T) {
			sp := spec(func(s *evalplan.Spec) { s.Baseline, s.Scorer = evalplan.LiveBaseline, scorer })
			_, err := evalplan.Plan(snapshot(t, workspace.Settings{}, nil), sp, its, true)
			wantCode(t, err, apperr.Invalid, "no_live_answer", "baseline")
		})
	}
	// A model baseline does not care whether items have live answers.
	if _, err := evalplan.Plan(snapshot(t, workspace.Settings{}, nil), spec(nil), its, false); err != nil {
		t.Fatalf("model baseline refused items without live answers: %v", err)
	}
}

func TestPlanRefusals(t *testing.T) {
	judge := func(model string) func(*evalplan.Spec) {
		return func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: rubric, JudgeModel: model}
		}
	}
	for _, tc := range []struct {
		name     string
		settings workspace.Settings
		mut      func(*evalplan.Spec)
		mock     bool
		kind     apperr.Kind
		code     string
		param    string
	}{
		{name: "invalid spec", mut: func(s *evalplan.Spec) { s.CapNano = 0 }, kind: apperr.Invalid, code: "invalid_cap", param: "cap_nano"},
		{name: "unknown candidate", mut: func(s *evalplan.Spec) { s.Candidate = "no-such-model" },
			kind: apperr.NotFound, code: "model_not_found", param: "candidate"},
		{name: "candidate on an unknown connection", mut: func(s *evalplan.Spec) { s.Candidate = "elsewhere/gpt-4o" },
			kind: apperr.NotFound, code: "model_not_found", param: "candidate"},
		{name: "unknown baseline", mut: func(s *evalplan.Spec) { s.Baseline = "no-such-model" },
			kind: apperr.NotFound, code: "model_not_found", param: "baseline"},
		{name: "mock baseline with the mock off", mut: func(s *evalplan.Spec) { s.Baseline = "mock/mock-small" },
			kind: apperr.NotFound, code: "model_not_found", param: "baseline"},
		{name: "unpriced candidate", mut: func(s *evalplan.Spec) { s.Candidate = "loop/my-finetune" },
			kind: apperr.Invalid, code: "model_not_priced", param: "candidate"},
		{name: "candidate not allowed", settings: workspace.Settings{AllowedModels: []string{baselineModel}},
			kind: apperr.Forbidden, code: "model_not_allowed", param: "candidate"},
		{name: "unknown judge", mut: judge("no-such-judge"), kind: apperr.NotFound, code: "model_not_found", param: "scorer.judge_model"},
		{name: "mock judge with the mock off", mut: judge("mock/mock-large"),
			kind: apperr.NotFound, code: "model_not_found", param: "scorer.judge_model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := evalplan.Plan(snapshot(t, tc.settings, nil), spec(tc.mut), items(false), tc.mock)
			wantCode(t, err, tc.kind, tc.code, tc.param)
			if e := apperr.As(err); tc.param != "cap_nano" && !strings.HasPrefix(e.Message, tc.param+": ") {
				t.Fatalf("message %q does not start with %q", e.Message, tc.param+": ")
			}
		})
	}
}

func TestPlanDefaultJudge(t *testing.T) {
	anthropic := workspace.Connection{Name: "claude", Kind: workspace.KindAnthropic}
	for _, tc := range []struct {
		name      string
		candidate string
		baseline  string
		extra     []workspace.Connection
		mock      bool
		want      string
	}{
		{name: "mock is another family", candidate: "loop/gpt-4o-mini", mock: true, want: "mock/mock-large"},
		{name: "bare candidate name", candidate: "gpt-4o-mini", mock: true, want: "mock/mock-large"},
		{name: "only the candidate's family: strongest of it", candidate: "loop/gpt-4o-mini", want: "loop/gpt-4.1"},
		{name: "another vendor's connection", candidate: "loop/gpt-4o-mini", extra: []workspace.Connection{anthropic},
			mock: true, want: "claude/claude-sonnet-4-5"},
		{name: "mock candidate", candidate: "mock/mock-small", baseline: "mock/mock-tiny", mock: true, want: "loop/gpt-4.1"},
		{name: "claude candidate", candidate: "claude/claude-haiku-4-5", extra: []workspace.Connection{anthropic},
			want: "loop/gpt-4.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := spec(func(s *evalplan.Spec) {
				s.Candidate = tc.candidate
				if tc.baseline != "" {
					s.Baseline = tc.baseline
				}
				s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: rubric}
			})
			est, err := evalplan.Plan(snapshot(t, workspace.Settings{}, nil, tc.extra...), sp, items(false), tc.mock)
			if err != nil {
				t.Fatal(err)
			}
			if est.JudgeModel != tc.want {
				t.Fatalf("judge %q, want %q", est.JudgeModel, tc.want)
			}
		})
	}
	t.Run("explicit judge wins", func(t *testing.T) {
		sp := spec(func(s *evalplan.Spec) {
			s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: rubric, JudgeModel: "loop/gpt-5-mini"}
		})
		est, err := evalplan.Plan(snapshot(t, workspace.Settings{}, nil), sp, items(false), true)
		if err != nil || est.JudgeModel != "loop/gpt-5-mini" {
			t.Fatalf("judge %q (%v), want the one named", est.JudgeModel, err)
		}
	})
	t.Run("no judge available", func(t *testing.T) {
		// An Azure deployment priced by override: no connection has a
		// priced judge model to choose from.
		overrides := map[string]pricing.Price{"az/my-deploy": {Input: 100_000, Output: 400_000, MaxOutput: 4096}}
		snap := snapshot(t, workspace.Settings{}, overrides)
		snap.Connections = map[string]workspace.Connection{"az": {Name: "az", Kind: workspace.KindAzure}}
		sp := spec(func(s *evalplan.Spec) {
			s.Baseline, s.Candidate = "az/my-deploy", "az/my-deploy"
			s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: rubric}
		})
		_, err := evalplan.Plan(snap, sp, items(false), false)
		wantCode(t, err, apperr.Invalid, "no_judge_model", "scorer.judge_model")
	})
}

// A judge prompt whose outputs could pass the judge's input limit is
// priced at the limit, never as an empty prompt.
func TestPlanPricesJudgeAtTheInputLimit(t *testing.T) {
	snap := snapshot(t, workspace.Settings{}, nil)
	sp := spec(func(s *evalplan.Spec) {
		s.Baseline, s.Candidate, s.MaxOutputTokens = "loop/gpt-4.1", "loop/gpt-4.1", 32768
		s.Scorer = evalplan.ScorerConfig{Type: "judge", Rubric: rubric, Mode: evalplan.ModePairwise, JudgeModel: "mock/mock-large"}
	})
	its := items(false)
	est, err := evalplan.Plan(snap, sp, its, true)
	if err != nil {
		t.Fatal(err)
	}
	jp := price(t, "mock/mock-large")
	perCall := jp.WorstCase(score.MaxJudgeInputBytes, score.JudgeMaxTokens)
	if want := 2 * int64(len(its)) * int64(perCall); est.JudgeNano < want {
		t.Fatalf("judge priced at %d for %d items; calls at the input limit cost at least %d", est.JudgeNano, len(its), want)
	}
}

// With max_output_tokens unset the estimate prices the default ceiling,
// which is what the run stores and its worker reserves.
func TestPlanPricesTheCeilingTheRunKeeps(t *testing.T) {
	snap := snapshot(t, workspace.Settings{}, nil)
	sp := spec(nil)
	if sp.MaxOutputTokens != 0 || sp.OutputCeiling() != evalplan.DefaultOutputTokens {
		t.Fatalf("spec %+v: ceiling %d", sp, sp.OutputCeiling())
	}
	its := items(false)[:1]
	est, err := evalplan.Plan(snap, sp, its, false)
	if err != nil {
		t.Fatal(err)
	}
	cp := price(t, "openai/gpt-4o-mini")
	prompt := pricing.PromptTokenBound(&chat.Request{Messages: its[0].Messages})
	if want := int64(cp.WorstCase(prompt, min(evalplan.DefaultOutputTokens, cp.MaxOutput))); est.CandidateNano != want {
		t.Fatalf("candidate priced at %d, the worker reserves %d", est.CandidateNano, want)
	}
}
