package score

import (
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Stable error codes, so the eval worker and the API can tell failures apart
// without parsing messages.
const (
	// CodeInvalidScorer: a scorer's construction arguments are unusable
	// (empty model, missing completer, oversized rubric or pattern).
	CodeInvalidScorer = "invalid_scorer"
	// CodeInvalidSchema: the JSON Schema given to NewJSONSchema does not compile.
	CodeInvalidSchema = "invalid_schema"
	// CodeInvalidPattern: the pattern given to NewRegex is not valid RE2.
	CodeInvalidPattern = "invalid_pattern"
	// CodeReferenceMissing: a scorer that compares against Item.Reference got
	// an item without one; scoring it would silently fail every output.
	CodeReferenceMissing = "reference_missing"
	// CodeOutputTooLarge: the output is over MaxOutputBytes.
	CodeOutputTooLarge = "output_too_large"
	// CodeJudgeInputTooLarge: the judge prompt would be over MaxJudgeInputBytes.
	CodeJudgeInputTooLarge = "judge_input_too_large"
	// CodeJudgeUnparseable: the judge answered, but not with a well-formed,
	// in-range verdict. Never turned into a silent score of 0.
	CodeJudgeUnparseable = "judge_unparseable"
	// CodeJudgeFailed: the judge call failed with an error that carried no
	// Tollgate code of its own (typed errors such as budget_exhausted are
	// passed through unchanged).
	CodeJudgeFailed = "judge_failed"
)

// MaxOutputBytes bounds the output a deterministic scorer reads, so one
// runaway generation cannot pin a worker's CPU or memory. Outputs over it
// are refused with CodeOutputTooLarge rather than scored.
const MaxOutputBytes = 1 << 20

// checkOutput refuses an output over MaxOutputBytes.
func checkOutput(scorer, output string) error {
	if len(output) > MaxOutputBytes {
		return apperr.New(apperr.TooLarge, CodeOutputTooLarge,
			fmt.Sprintf("%s: the output is over %d bytes", scorer, MaxOutputBytes))
	}
	return nil
}

// needReference refuses an item without a reference answer.
func needReference(scorer string, it Item) error {
	if it.Reference == "" {
		return apperr.New(apperr.Invalid, CodeReferenceMissing,
			scorer+": the item has no reference answer to compare with").WithParam("reference")
	}
	return nil
}

// invalidScorer reports unusable construction arguments.
func invalidScorer(scorer, message, param string) error {
	return apperr.New(apperr.Invalid, CodeInvalidScorer, scorer+": "+message).WithParam(param)
}
