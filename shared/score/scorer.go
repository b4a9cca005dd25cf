package score

import (
	"context"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Scorer grades one output of a candidate model for one evaluation item. It
// is an interface so the eval worker can run deterministic checks and LLM
// judges side by side without knowing which is which.
type Scorer interface {
	// Name is a stable identifier ("exact", "judge", …) under which results
	// are stored and compared across runs.
	Name() string
	// Score grades output for it. A returned error means the item could not
	// be scored (bad input, a failed judge call), never a score of 0.
	Score(ctx context.Context, it Item, output string) (Result, error)
}

// Item is one evaluation case: the conversation that was sent to the model,
// the expected answer when there is one, and the caller's tags. It is the
// unit a dataset is made of, kept independent of how it is stored.
type Item struct {
	// Messages is the conversation the candidate model answered.
	Messages []chat.Message
	// Reference is the expected answer, for scorers that compare against
	// one (Exact, Normalized) and as guidance for the Judge. Empty means none.
	Reference string
	// Tags are the caller's labels for slicing results; no built-in scorer
	// reads them, they travel with the item so custom scorers can.
	Tags map[string]string
}

// Result is one scorer's verdict on one output.
type Result struct {
	// Score is in [0,1]; 1 is best. Pass/fail scorers give exactly 0 or 1.
	Score float64
	// Detail is a short human-readable explanation. It never echoes item
	// or output text, so it is safe to log and to show in dashboards.
	Detail string
}
