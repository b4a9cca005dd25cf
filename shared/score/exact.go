package score

import (
	"context"
	"fmt"
)

// Exact scores 1 when the output is byte-for-byte the item's reference and
// 0 otherwise. It is the strictest check, for tasks with one canonical
// answer (classification labels, IDs, extracted values).
type Exact struct{}

var _ Scorer = Exact{}

// Name returns "exact".
func (Exact) Name() string { return "exact" }

// Score compares output with it.Reference. An item without a reference is an
// error (CodeReferenceMissing), since every output would otherwise fail.
func (e Exact) Score(_ context.Context, it Item, output string) (Result, error) {
	if err := needReference(e.Name(), it); err != nil {
		return Result{}, err
	}
	if err := checkOutput(e.Name(), output); err != nil {
		return Result{}, err
	}
	if output == it.Reference {
		return Result{Score: 1, Detail: "exact match"}, nil
	}
	return Result{Score: 0, Detail: mismatch(output, it.Reference)}, nil
}

// mismatch says where two strings first differ, by offset and length only,
// so the detail helps debugging without quoting either.
func mismatch(got, want string) string {
	n := min(len(got), len(want))
	at := n
	for i := range n {
		if got[i] != want[i] {
			at = i
			break
		}
	}
	return fmt.Sprintf("mismatch at byte %d (output %d bytes, reference %d bytes)", at, len(got), len(want))
}
