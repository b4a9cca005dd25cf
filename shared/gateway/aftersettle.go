package gateway

import (
	"context"

	"github.com/tollgate-dev/tollgate/shared/budget"
)

// afterSettle does the bookkeeping that rides on a settled call and must
// never fail it: the token's last use (at most once a minute per token and
// instance).
func (h *Handler) afterSettle(ctx context.Context, db budget.DB, c *call) {
	if h.cfg.Touch == nil || c.principal.TokenID == "" {
		return
	}
	if err := h.cfg.Touch.Touch(ctx, db, c.principal.Org, c.principal.TokenID); err != nil {
		h.cfg.Logger.WarnContext(ctx, "record token use", "request_id", c.id, "error", err)
	}
}
