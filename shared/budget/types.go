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
}

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
