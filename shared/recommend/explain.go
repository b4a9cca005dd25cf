package recommend

import (
	"fmt"
	"strings"
)

// Explain spells a recommendation out so a person can check it with a
// calculator: the rule, the numbers it was applied to, and the saving's
// formula.
func Explain(r Recommendation) string {
	ev, c := r.Evidence, r.Cost
	var b strings.Builder
	fmt.Fprintf(&b, "Run %s scored %s (candidate) against %s (baseline) on the same items with the %s scorer; "+
		"scores are in [0,1] and each item's difference is candidate − baseline.\n", r.Run, r.Candidate, r.Baseline, r.Scorer)
	fmt.Fprintf(&b, "Items used: n = %d, the scored items of the run's first %d in item order (%d without scores left out). "+
		"Mean score: baseline %.4f, candidate %.4f; mean difference %+.4f.\n",
		ev.N, ev.N+ev.Excluded, ev.Excluded, ev.MeanBaseline, ev.MeanCandidate, ev.MeanDiff)
	fmt.Fprintf(&b, "Rule: recommend when the anytime-valid lower confidence bound of the mean difference at level α = %g "+
		"exceeds −δ = %+.4f and n ≥ %d. Bound: %s = %+.4f. For comparison, the one-sided paired t bound "+
		"(mean − t₁₋α,n−1 · s/√n, valid for one look at a fixed n only) = %+.4f.\n",
		ev.Alpha, -ev.Delta, ev.MinN, ev.Method, ev.Lower, ev.TLower)
	fmt.Fprintf(&b, "Cost per request in the evaluation: baseline %d nano-USD, candidate %d nano-USD.\n",
		c.BaselinePerRequestNano, c.CandidatePerRequestNano)
	if c.ProjectionNote != "" {
		fmt.Fprintf(&b, "Projected monthly saving: none (%s).", c.ProjectionNote)
		return b.String()
	}
	fmt.Fprintf(&b, "Alias %q over the last %d days: %d requests costing %d nano-USD (%d per 30 days). "+
		"Projected monthly saving = %d × (1 − %d ÷ %d) = %d nano-USD.",
		r.Alias, c.WindowDays, c.AliasRequests, c.AliasCostNano, c.MonthlyCost,
		c.MonthlyCost, c.CandidatePerRequestNano, c.BaselinePerRequestNano, c.ProjectedNano)
	return b.String()
}
