package score

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// OutputBytesPerToken is the byte length a pre-flight estimate assumes for
// one output token of a candidate or baseline when that output becomes part
// of a judge's prompt. It is an assumption for estimates only; the budget
// gate reserves each actual judge prompt's exact bound before the call.
const OutputBytesPerToken = 4

// JudgeCall is the shape of one judge call for a pre-flight estimate: an
// upper bound on its prompt tokens and its output ceiling.
type JudgeCall struct {
	PromptTokens int64
	MaxTokens    int64
}

// GradeBound bounds one rubric-mode call on it with an output of at most
// outputTokens tokens.
func (j *Judge) GradeBound(it Item, outputTokens int64) JudgeCall {
	req, err := j.rubricRequest(it, placeholder(outputTokens))
	return j.bound(req, err, rubricSystem)
}

// PairBound bounds one pairwise call on it with two outputs of at most
// outputTokens tokens each (ComparePair makes two such calls).
func (j *Judge) PairBound(it Item, outputTokens int64) JudgeCall {
	p := placeholder(outputTokens)
	req, err := j.pairRequest(it, p, p)
	return j.bound(req, err, pairSystem)
}

// bound prices req; a placeholder over the judge's input limit is priced at
// the limit, the largest prompt a judge is ever sent.
func (j *Judge) bound(req *chat.Request, err error, system string) JudgeCall {
	if err != nil {
		req, _ = j.request(fmt.Sprintf(system, j.rubric), strings.Repeat("x", MaxJudgeInputBytes))
	}
	return JudgeCall{PromptTokens: pricing.PromptTokenBound(req), MaxTokens: JudgeMaxTokens}
}

func placeholder(tokens int64) string {
	return strings.Repeat("x", int(min(tokens*OutputBytesPerToken, MaxJudgeInputBytes)))
}
