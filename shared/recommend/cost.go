package recommend

import (
	"context"
	"math/big"
	"time"

	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// DefaultWindowDays is the traffic a saving is projected from: the
// alias's last 30 days (UTC days, today's so far included), about a month.
const DefaultWindowDays = 30

// cost prices both sides on the paired items and projects the saving on
// the alias's own traffic: its cost over the window × (1 − candidate cost
// per request ÷ baseline cost per request). A "live" baseline was not
// called by the run (its answers came from traffic), so its cost per
// request is the alias's own over the window.
func (d *Decider) cost(ctx context.Context, db Client, run evalrun.Run, paired []evalrun.Result) (Cost, error) {
	var c Cost
	var base, cand, baseMS, candMS int64
	for _, r := range paired {
		base += r.BaselineNano
		cand += r.CandidateNano
		baseMS += r.BaselineLatencyMS
		candMS += r.CandidateLatencyMS
	}
	if n := int64(len(paired)); n > 0 {
		c.BaselinePerRequestNano, c.CandidatePerRequestNano = base/n, cand/n
		c.BaselineLatencyMS, c.CandidateLatencyMS = baseMS/n, candMS/n
	}
	c.WindowDays = int64(d.WindowDays)
	if c.WindowDays <= 0 {
		c.WindowDays = DefaultWindowDays
	}
	if run.Alias == "" {
		c.ProjectionNote = "the run names no alias, so there is no traffic to project a saving from"
		return c, nil
	}
	clock := d.Clock
	if clock == nil {
		clock = time.Now
	}
	to := clock().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour) // through today
	from := to.AddDate(0, 0, -int(c.WindowDays))
	aggs, err := d.Aggregates.Aggregates(ctx, db, run.Org, from, to, trace.DimWorkspaceAlias)
	if err != nil {
		return Cost{}, err
	}
	want := trace.WorkspaceAlias(run.Workspace, run.Alias)
	for _, a := range aggs {
		if a.Value == want {
			c.AliasRequests += a.Requests
			c.AliasCostNano += a.CostNano
		}
	}
	c.MonthlyCost = c.AliasCostNano * 30 / c.WindowDays
	if c.BaselinePerRequestNano == 0 && c.AliasRequests > 0 {
		c.BaselinePerRequestNano = c.AliasCostNano / c.AliasRequests
	}
	switch {
	case c.AliasRequests == 0:
		c.ProjectionNote = "the alias had no traffic in the window, so nothing would be saved yet"
	case c.BaselinePerRequestNano <= 0:
		c.ProjectionNote = "the baseline cost nothing per request in the evaluation; no saving can be projected"
	default:
		c.ProjectedNano = saving(c.MonthlyCost, c.CandidatePerRequestNano, c.BaselinePerRequestNano)
	}
	return c, nil
}

// saving is monthly × (1 − cand/base), exactly, rounded down: integer
// money, with no overflow however large the product.
func saving(monthly, cand, base int64) int64 {
	if base <= 0 || cand >= base {
		return 0
	}
	m := big.NewInt(monthly)
	kept := new(big.Int).Mul(m, big.NewInt(cand))
	kept.Quo(kept, big.NewInt(base))
	return new(big.Int).Sub(m, kept).Int64()
}
