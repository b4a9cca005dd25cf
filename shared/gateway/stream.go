package gateway

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
	"github.com/tollgate-dev/tollgate/shared/sse"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// stream relays the provider's chunks to the client as they arrive. Usage is
// always requested upstream; it reaches the client only if the client asked
// for it (stream_options.include_usage).
func (h *Handler) stream(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	st, stop, err := h.openStream(ctx, c)
	if err != nil {
		return err
	}
	defer stop()
	defer st.Close()
	wantUsage := c.req.StreamOptions != nil && c.req.StreamOptions.IncludeUsage
	rc := http.NewResponseController(w)

	h.setRouteHeaders(w, c)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	c.httpState = http.StatusOK

	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				c.status = trace.StatusClientAbort
				return nil
			}
			c.status = trace.StatusError
			e := apperr.As(h.upstreamError(c.used, err))
			c.errCode = e.Code
			_ = sse.WriteData(w, openaierr.Event(e))
			_ = rc.Flush()
			h.cfg.Logger.Warn("stream interrupted", "request_id", c.id, "provider", c.used.Conn.Name, "error", err)
			return nil
		}
		if c.ttft == 0 {
			c.ttft = h.cfg.Clock().Sub(c.start)
		}
		h.account(c, chunk)
		out := chunk
		if chunk.Usage != nil && !wantUsage {
			if len(chunk.Choices) == 0 {
				continue
			}
			cp := *chunk
			cp.Usage = nil
			out = &cp
		}
		b, err := json.Marshal(out)
		if err != nil {
			continue
		}
		if err := sse.WriteData(w, b); err != nil {
			c.status = trace.StatusClientAbort // the client went away: stop the upstream
			return nil
		}
		if err := rc.Flush(); err != nil {
			c.status = trace.StatusClientAbort
			return nil
		}
	}
	if _, err := io.WriteString(w, "data: [DONE]\n\n"); err != nil {
		c.status = trace.StatusClientAbort
	}
	_ = rc.Flush()
	return nil
}

// account notes usage and the output a chunk carries, so the call can be
// billed from usage or, when usage never comes, from an estimate.
func (h *Handler) account(c *call, chunk *chat.Chunk) {
	if chunk.Usage != nil {
		u := *chunk.Usage
		c.usage = &u
	}
	for _, ch := range chunk.Choices {
		if d := ch.Delta.Content; d != nil {
			c.outBytes += int64(len(*d))
			if c.keepText || c.shadow {
				c.content.WriteString(*d)
			}
		}
		for _, tc := range ch.Delta.ToolCalls {
			c.outBytes += int64(len(tc.Function.Name) + len(tc.Function.Arguments))
		}
	}
}
