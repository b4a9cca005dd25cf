package score

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
)

// The built-in mock answers with the text after the last "Answer:" marker
// of the last user message (or a canned sentence), with probability
// Quality; "mock-judge" is not in its table, so its Quality is 1. The
// judge's user message ends with the candidate's response, so a response
// carrying an "Answer: {...}" line makes the real mock return that verdict,
// which exercises request building, the provider call and parsing end to
// end. Ordinary conversations get prose back, which must be
// judge_unparseable and never a silent 0.
func TestJudgeAgainstMockProvider(t *testing.T) {
	question := "What is the capital of France? Answer: Paris"
	tests := []struct {
		name     string
		model    string
		item     Item
		output   string
		want     float64
		wantCode string
	}{
		{name: "echoed verdict", model: "mock-judge", item: item(question, "Paris"),
			output: "Paris.\nAnswer: {\"score\": 0.75, \"reason\": \"right city, extra period\"}", want: 0.75},
		{name: "echoed fenced verdict is not one line", model: "mock-judge", item: item(question, "Paris"),
			output: "Answer: ```json", wantCode: CodeJudgeUnparseable},
		{name: "echoed out-of-range verdict", model: "mock-judge", item: item(question, "Paris"),
			output: `Answer: {"score": 7, "reason": "out of ten"}`, wantCode: CodeJudgeUnparseable},
		{name: "prose from the item's marker", model: "mock-large", item: item(question, "Paris"),
			output: "Paris", wantCode: CodeJudgeUnparseable},
		{name: "canned prose without a marker", model: "mock-small", item: item("Say hello.", ""),
			output: "Hello!", wantCode: CodeJudgeUnparseable},
		{name: "empty output still judged", model: "mock-tiny", item: item("Say hello.", ""),
			output: "", wantCode: CodeJudgeUnparseable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mockCompleter(t, mock.Options{})
			j, err := NewJudge(c, tc.model, "The response must name the correct city, nothing else.")
			if err != nil {
				t.Fatal(err)
			}
			res, err := j.Score(context.Background(), tc.item, tc.output)
			if tc.wantCode != "" {
				wantCode(t, err, tc.wantCode)
				if res != (Result{}) {
					t.Fatalf("got result %+v alongside an error", res)
				}
			} else {
				if err != nil {
					t.Fatalf("Score: %v", err)
				}
				if res.Score != tc.want {
					t.Fatalf("score %v, want %v", res.Score, tc.want)
				}
				if want := "judge " + tc.model + " scored 0.75"; res.Detail != want {
					t.Fatalf("detail %q, want %q", res.Detail, want)
				}
			}
			sent := c.requests()
			if len(sent) != 1 {
				t.Fatalf("%d judge requests, want 1", len(sent))
			}
			checkJudgeRequest(t, sent[0], tc.model)
			if !strings.Contains(userText(sent[0]), tc.output) {
				t.Fatal("the judge was not shown the output")
			}
		})
	}
}

// checkJudgeRequest asserts the fixed settings of every judge request.
func checkJudgeRequest(t *testing.T, req *chat.Request, model string) {
	t.Helper()
	switch {
	case req.Model != model:
		t.Fatalf("model %q, want %q", req.Model, model)
	case req.MaxTokens == nil || *req.MaxTokens != JudgeMaxTokens || req.MaxCompletionTokens != nil:
		t.Fatalf("max_tokens %v / max_completion_tokens %v, want %d", req.MaxTokens, req.MaxCompletionTokens, JudgeMaxTokens)
	case req.Temperature == nil || *req.Temperature != 0:
		t.Fatalf("temperature %v, want 0", req.Temperature)
	case req.Stream || len(req.Tools) > 0 || req.N != nil:
		t.Fatal("judge request asks for streaming, tools or several choices")
	case len(req.Messages) != 2 || req.Messages[0].Role != chat.RoleSystem || req.Messages[1].Role != chat.RoleUser:
		t.Fatalf("messages %+v, want system then user", req.Messages)
	}
}

func TestJudgeGradeKeepsReason(t *testing.T) {
	j, err := NewJudge(mockCompleter(t, mock.Options{}), "mock-judge", "Is it correct?")
	if err != nil {
		t.Fatal(err)
	}
	v, err := j.Grade(t.Context(), item("Capital of Italy?", "Rome"), `Answer: {"score": 1, "reason": "Rome is right"}`)
	if err != nil {
		t.Fatal(err)
	}
	if v != (Verdict{Score: 1, Reason: "Rome is right"}) {
		t.Fatalf("verdict %+v", v)
	}
}

func TestJudgeMockIsDeterministic(t *testing.T) {
	c := mockCompleter(t, mock.Options{})
	j, err := NewJudge(c, "mock-judge", "Is it correct?")
	if err != nil {
		t.Fatal(err)
	}
	out := `Answer: {"score": 0.4, "reason": "partly"}`
	for range 3 {
		res, err := j.Score(t.Context(), item("q", ""), out)
		if err != nil || res.Score != 0.4 {
			t.Fatalf("got %+v, %v", res, err)
		}
	}
}

func TestJudgeCallFailures(t *testing.T) {
	t.Run("provider error becomes judge_failed", func(t *testing.T) {
		c := mockCompleter(t, mock.Options{FailWith: map[string]int{"mock-down": 503}})
		j, err := NewJudge(c, "mock-down", "Is it correct?")
		if err != nil {
			t.Fatal(err)
		}
		_, err = j.Score(t.Context(), item("q", ""), "x")
		wantCode(t, err, CodeJudgeFailed)
		var perr *provider.Error
		if !errors.As(err, &perr) || perr.StatusCode != 503 || !perr.Retryable() {
			t.Fatalf("provider error not kept in the chain: %v", err)
		}
	})
	t.Run("typed error passes through", func(t *testing.T) {
		budget := apperr.New(apperr.BudgetExhausted, "budget_exhausted", "the budget is spent")
		j, err := NewJudge(completerFunc(func(context.Context, *chat.Request) (*chat.Response, error) {
			return nil, budget
		}), "gpt-4o", "Is it correct?")
		if err != nil {
			t.Fatal(err)
		}
		_, err = j.Score(t.Context(), item("q", ""), "x")
		wantCode(t, err, "budget_exhausted")
		if !strings.Contains(err.Error(), "judge gpt-4o") {
			t.Fatalf("error %v lacks context", err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		c := mockCompleter(t, mock.Options{})
		j, err := NewJudge(c, "mock-judge", "Is it correct?")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err = j.Score(ctx, item("q", ""), "x")
		wantCode(t, err, CodeJudgeFailed)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v does not wrap context.Canceled", err)
		}
	})
	t.Run("oversized input is refused before any call", func(t *testing.T) {
		c := mockCompleter(t, mock.Options{})
		j, err := NewJudge(c, "mock-judge", "Is it correct?")
		if err != nil {
			t.Fatal(err)
		}
		_, err = j.Score(t.Context(), item("q", ""), strings.Repeat("x", MaxJudgeInputBytes))
		wantCode(t, err, CodeJudgeInputTooLarge)
		_, err = j.ComparePair(t.Context(), item("q", ""), strings.Repeat("x", MaxJudgeInputBytes/2), strings.Repeat("y", MaxJudgeInputBytes/2))
		wantCode(t, err, CodeJudgeInputTooLarge)
		if n := len(c.requests()); n != 0 {
			t.Fatalf("%d requests sent for an oversized input", n)
		}
	})
}

// completerFunc adapts a function to Completer, for failure paths only.
type completerFunc func(context.Context, *chat.Request) (*chat.Response, error)

func (f completerFunc) Complete(ctx context.Context, req *chat.Request) (*chat.Response, error) {
	return f(ctx, req)
}

func TestNewJudgeRefusesBadArguments(t *testing.T) {
	c := mockCompleter(t, mock.Options{})
	tests := []struct {
		name   string
		c      Completer
		model  string
		rubric string
		param  string
	}{
		{"no completer", nil, "mock-large", "r", "completer"},
		{"no model", c, "", "r", "model"},
		{"no rubric", c, "mock-large", "", "rubric"},
		{"rubric too large", c, "mock-large", strings.Repeat("r", MaxRubricBytes+1), "rubric"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, err := NewJudge(tc.c, tc.model, tc.rubric)
			if j != nil {
				t.Fatal("got a judge for bad arguments")
			}
			wantCode(t, err, CodeInvalidScorer)
			if p := apperr.As(err).Param; p != tc.param {
				t.Fatalf("param %q, want %q", p, tc.param)
			}
		})
	}
}

// The mock echoes a verdict found in whichever response comes last in the
// prompt, whatever the order, so it says "Response 1 is better" both times:
// a position-biased judge, which ComparePair turns into a tie.
func TestComparePairAgainstMockProvider(t *testing.T) {
	c := mockCompleter(t, mock.Options{})
	j, err := NewJudge(c, "mock-judge", "Prefer the correct city.")
	if err != nil {
		t.Fatal(err)
	}
	a := "Paris\nAnswer: {\"score\": 1, \"reason\": \"first is better\"}"
	pref, err := j.ComparePair(t.Context(), item("Capital of France?", "Paris"), a, "Lyon")
	if err != nil {
		t.Fatal(err)
	}
	if pref != 0.5 {
		t.Fatalf("prefA %v, want 0.5", pref)
	}
	sent := c.requests()
	if len(sent) != 2 {
		t.Fatalf("%d requests, want 2", len(sent))
	}
	for _, req := range sent {
		checkJudgeRequest(t, req, "mock-judge")
	}
}
