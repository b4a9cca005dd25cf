package score

import (
	"context"
	"strings"
	"unicode"
)

// Normalized scores 1 when the output equals the item's reference after
// Normalize is applied to both, and 0 otherwise. It forgives the noise
// models add around a right answer ("Paris." or "**paris**" for "Paris")
// without any model call.
type Normalized struct{}

var _ Scorer = Normalized{}

// Name returns "normalized".
func (Normalized) Name() string { return "normalized" }

// Score compares Normalize(output) with Normalize(it.Reference). An item
// without a reference is an error (CodeReferenceMissing).
func (n Normalized) Score(_ context.Context, it Item, output string) (Result, error) {
	if err := needReference(n.Name(), it); err != nil {
		return Result{}, err
	}
	if err := checkOutput(n.Name(), output); err != nil {
		return Result{}, err
	}
	got, want := Normalize(output), Normalize(it.Reference)
	if got == want {
		return Result{Score: 1, Detail: "normalized match"}, nil
	}
	return Result{Score: 0, Detail: "normalized " + mismatch(got, want)}, nil
}

// Normalize lower-cases s, strips surrounding whitespace, quotes, Markdown
// emphasis and sentence punctuation, and collapses inner whitespace runs to
// one space. It deliberately does no Unicode normalization (NFKC) or full
// case folding: full-width letters and "ß" stay distinct, which keeps it
// predictable. Signs, brackets and symbols such as "-", "(" and "%" are kept,
// because they change meaning ("-5" is not "5").
func Normalize(s string) string {
	s = strings.ToLower(s)
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || edgeRune(r) })
	return strings.Join(strings.Fields(s), " ")
}

// edgeRune reports whether r is noise when it surrounds an answer.
func edgeRune(r rune) bool {
	return strings.ContainsRune(edgeRunes, r)
}

// edgeRunes are quotes, Markdown emphasis and sentence punctuation, ASCII
// and the common typographic and CJK forms.
const edgeRunes = "\"'`*_“”‘’«»„‚‹›「」『』.,;:!?…。，、；：！？"
