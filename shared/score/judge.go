package score

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// JudgeMaxTokens is the output ceiling of every judge request. A verdict is
// one short JSON object; the ceiling caps what a rambling judge can cost on
// the tenant's keys, and an answer cut by it is reported unparseable.
const JudgeMaxTokens = 200

// MaxRubricBytes bounds the rubric, which is sent with every judge call.
const MaxRubricBytes = 8 << 10

// Completer makes one non-streamed chat completion. The judge consumes this
// rather than a provider so the caller decides how calls are routed, billed
// and capped: the eval worker passes one that goes through the budget gate
// on the tenant's own keys.
type Completer interface {
	Complete(ctx context.Context, req *chat.Request) (*chat.Response, error)
}

// Judge scores outputs by asking an LLM. It grades one output against a
// rubric (Score, Grade) or compares two (ComparePair). Pick its model with
// DefaultJudgeModel so it is not from the candidate's family: models tend to
// favour text that reads like their own.
type Judge struct {
	c      Completer
	model  string
	rubric string
}

var _ Scorer = (*Judge)(nil)

// NewJudge returns a judge that calls model through c with rubric as its
// grading criteria (used by both modes). A nil completer, an empty model, or
// an empty or oversized rubric is a CodeInvalidScorer error.
func NewJudge(c Completer, model, rubric string) (*Judge, error) {
	switch {
	case c == nil:
		return nil, invalidScorer("judge", "no completer to call the judge model with", "completer")
	case model == "":
		return nil, invalidScorer("judge", "no judge model", "model")
	case rubric == "":
		return nil, invalidScorer("judge", "the rubric is empty", "rubric")
	case len(rubric) > MaxRubricBytes:
		return nil, invalidScorer("judge", fmt.Sprintf("the rubric is over %d bytes", MaxRubricBytes), "rubric")
	}
	return &Judge{c: c, model: model, rubric: rubric}, nil
}

// Name returns "judge".
func (*Judge) Name() string { return "judge" }

// Model returns the judge model name, so results can record who judged.
func (j *Judge) Model() string { return j.model }

// Score grades output against the rubric. Detail names the judge model and
// the score; the judge's reason is left out because it may quote the item
// (use Grade to get it).
func (j *Judge) Score(ctx context.Context, it Item, output string) (Result, error) {
	v, err := j.Grade(ctx, it, output)
	if err != nil {
		return Result{}, err
	}
	return Result{Score: v.Score, Detail: fmt.Sprintf("judge %s scored %.2f", j.model, v.Score)}, nil
}

// Grade asks the judge for a graded score of output under the rubric, with
// the item's reference answer as guidance when it has one. A malformed or
// out-of-range answer is a CodeJudgeUnparseable error, never a score of 0.
func (j *Judge) Grade(ctx context.Context, it Item, output string) (Verdict, error) {
	req, err := j.rubricRequest(it, output)
	if err != nil {
		return Verdict{}, err
	}
	return j.ask(ctx, req)
}

// ask makes one judge call and parses its verdict.
func (j *Judge) ask(ctx context.Context, req *chat.Request) (Verdict, error) {
	resp, err := j.c.Complete(ctx, req)
	if err != nil {
		return Verdict{}, j.callError(err)
	}
	v, err := verdictOf(resp)
	if err != nil {
		return Verdict{}, fmt.Errorf("judge %s: %w", j.model, err)
	}
	return v, nil
}

// callError adds context to a failed call. An error that already carries a
// Tollgate code (budget_exhausted, rate_limited, …) keeps it, so the worker
// can react to it; any other becomes CodeJudgeFailed with the cause kept.
func (j *Judge) callError(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return fmt.Errorf("judge %s: %w", j.model, err)
	}
	return apperr.Wrap(fmt.Errorf("judge %s: %w", j.model, err), apperr.UpstreamFailed, CodeJudgeFailed,
		"the judge model call failed")
}
