package verify

import (
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/recommend"
)

// transition is the state a recommendation in state from moves to after
// verification v, and the reason recorded with the move (empty when it
// stays).
func transition(from recommend.State, v recommend.Verification) (recommend.State, string) {
	switch {
	case v.Regressed && (from == recommend.Applied || from == recommend.Verified):
		return recommend.Regressed, regressedReason(v)
	case !v.Regressed && v.Enough && from == recommend.Applied:
		return recommend.Verified, verifiedReason(v)
	}
	return from, ""
}

// regressedReason names each regressed signal with its statistic, p,
// effect and n.
func regressedReason(v recommend.Verification) string {
	var parts []string
	for _, c := range flagged(v) {
		parts = append(parts, fmt.Sprintf("%s regressed (%s: statistic %.3g, p %.3g < α %.3g, effect %+.4g %s, min %+.4g, n before %d, n after %d)",
			c.Signal, c.Test, c.Statistic, c.P, c.Alpha, c.Effect, c.Unit, c.MinEffect, c.Before.N, c.After.N))
	}
	return fmt.Sprintf("verification at %s: %s", v.At.UTC().Format(time.RFC3339), strings.Join(parts, "; "))
}

// verifiedReason says no check regressed, with the traffic each rested on.
func verifiedReason(v recommend.Verification) string {
	var parts []string
	for _, c := range v.Checks {
		parts = append(parts, fmt.Sprintf("%s n before %d, n after %d", c.Signal, c.Before.N, c.After.N))
	}
	return fmt.Sprintf("verification at %s: no check regressed with enough traffic (%s)",
		v.At.UTC().Format(time.RFC3339), strings.Join(parts, "; "))
}

// flagged are v's regressed checks.
func flagged(v recommend.Verification) []recommend.Check {
	var out []recommend.Check
	for _, c := range v.Checks {
		if c.Regressed {
			out = append(out, c)
		}
	}
	return out
}
