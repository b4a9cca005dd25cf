package budget

import (
	"time"

	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// Unlimited is the cap of a counter that tracks spend without limiting it.
const Unlimited pricing.NanoUSD = 1 << 60

// Limits are the caps and rate limits that apply to one call. A zero cap
// means no cap at that level (org and workspace spend is still tracked); a
// zero rate means no limit.
type Limits struct {
	OrgCap       pricing.NanoUSD
	WorkspaceCap pricing.NanoUSD
	TokenCap     pricing.NanoUSD

	WorkspaceRPM, WorkspaceTPM int64
	TokenRPM, TokenTPM         int64
}

// Request is what Reserve needs to know about one call.
type Request struct {
	Org       string
	Workspace string
	TokenID   string // empty for calls not made with an API token (evaluations)
	RequestID string
	// Cost is the worst case: prompt bound and output ceiling at list price.
	Cost pricing.NanoUSD
	// Tokens is the worst-case token count, for tokens-per-minute limits.
	Tokens int64
	Limits Limits
	// Extra are caps beyond the org's, workspace's and token's monthly
	// ones, held in the same transaction: an evaluation's monthly budget,
	// or one run's lifetime cap.
	Extra []Cap
}

// Cap is one extra spend cap. Its counter lives beside the others
// (ORG#<org>#BUDGET#<Scope>), so Settle, Reconcile and Read treat it alike.
type Cap struct {
	// Scope names the counter, e.g. "eval:ws_…" or "run_…"; it must not
	// collide with a workspace or token ID.
	Scope string
	// Label completes "… budget does not cover …" in a refusal, e.g.
	// "this evaluation run's".
	Label string
	// Cap is the amount; it must be positive.
	Cap pricing.NanoUSD
	// Lifetime counters never roll over (a run's cap); the others are
	// monthly.
	Lifetime bool
}

// LifetimePeriod is the sort key of a lifetime counter, in place of the
// month of a monthly one.
const LifetimePeriod = "LIFETIME"

// Reservation is an open hold on budgets and rate limits. Settle it exactly
// once; if nobody does, it expires and Reconcile releases it.
type Reservation struct {
	Org       string
	RequestID string
	Cost      pricing.NanoUSD
	Tokens    int64
	Expires   time.Time

	resPK, resSK string
	budgets      []counterKey // spend counters it holds an amount on
	rates        []counterKey // minute counters it counted tokens on
}

// Outcome is what Settle records.
type Outcome struct {
	Cost   pricing.NanoUSD // actual cost; the estimate when usage never arrived
	Tokens int64           // actual tokens
}

type counterKey struct{ pk, sk string }
