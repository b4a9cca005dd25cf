package score

import (
	"context"
	"fmt"
)

// ComparePair asks the judge which of two outputs for it is better under the
// rubric and returns prefA in [0,1]: 1 when a is clearly better, 0 when b
// is, 0.5 for a tie.
//
// LLM judges favour whichever answer they read first (or, for some models,
// last). ComparePair therefore asks twice, a as Response 1 then b as
// Response 1, and averages the two views of a:
//
//	prefA = (s(a,b) + 1 - s(b,a)) / 2
//
// where s(x,y) is the judge's score for "Response 1 is better". A judge
// that always prefers whichever answer comes first scores 1 both times, so
// prefA = (1 + 1 - 1) / 2 = 0.5: pure position bias cancels out to a tie
// instead of deciding the comparison. The calls run one after the other,
// both with the judge's fixed settings; if either fails there is no result.
func (j *Judge) ComparePair(ctx context.Context, it Item, a, b string) (prefA float64, err error) {
	ab, err := j.comparedOnce(ctx, it, a, b)
	if err != nil {
		return 0, fmt.Errorf("compare (a first): %w", err)
	}
	ba, err := j.comparedOnce(ctx, it, b, a)
	if err != nil {
		return 0, fmt.Errorf("compare (b first): %w", err)
	}
	return (ab.Score + 1 - ba.Score) / 2, nil
}

// comparedOnce is one pairwise judge call, first shown as Response 1.
func (j *Judge) comparedOnce(ctx context.Context, it Item, first, second string) (Verdict, error) {
	req, err := j.pairRequest(it, first, second)
	if err != nil {
		return Verdict{}, err
	}
	return j.ask(ctx, req)
}
