package score

import (
	"context"
	"fmt"
	"regexp"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// MaxPatternBytes bounds the pattern given to NewRegex. RE2 matching is
// linear in the input, but compiling a huge pattern is not free.
const MaxPatternBytes = 1024

// Regex scores 1 when the output contains a match of the pattern given at
// construction (anchor it with ^…$ to match the whole output) and 0
// otherwise: a cheap check for answers with a known shape.
type Regex struct {
	re *regexp.Regexp
}

var _ Scorer = (*Regex)(nil)

// NewRegex compiles pattern once with Go's regexp package, which is RE2: no
// backreferences or lookaround, and matching time linear in the output, so
// a tenant's pattern cannot be made to backtrack catastrophically. An empty,
// oversized or invalid pattern is a CodeInvalidPattern error.
func NewRegex(pattern string) (*Regex, error) {
	switch {
	case pattern == "":
		return nil, apperr.New(apperr.Invalid, CodeInvalidPattern, "regex: the pattern is empty").WithParam("pattern")
	case len(pattern) > MaxPatternBytes:
		return nil, apperr.New(apperr.TooLarge, CodeInvalidPattern,
			fmt.Sprintf("regex: the pattern is over %d bytes", MaxPatternBytes)).WithParam("pattern")
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, CodeInvalidPattern, "regex: the pattern is not valid RE2 syntax").WithParam("pattern")
	}
	return &Regex{re: re}, nil
}

// Name returns "regex".
func (*Regex) Name() string { return "regex" }

// Score reports whether output contains a match. It needs no reference.
func (r *Regex) Score(_ context.Context, _ Item, output string) (Result, error) {
	if err := checkOutput(r.Name(), output); err != nil {
		return Result{}, err
	}
	if r.re.MatchString(output) {
		return Result{Score: 1, Detail: "pattern matched"}, nil
	}
	return Result{Score: 0, Detail: "pattern not matched"}, nil
}
