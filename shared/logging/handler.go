package logging

import (
	"context"
	"io"
	"log/slog"

	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// New returns a JSON logger writing to w at level and above, with every
// record scrubbed. It is what a function's main uses.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(NewHandler(w, &slog.HandlerOptions{Level: level}))
}

// NewHandler returns a slog.JSONHandler writing to w with opts, wrapped so
// that every record is scrubbed before it is encoded. Use it to combine the
// scrubber with other handler options (AddSource, ReplaceAttr).
func NewHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	return &handler{inner: slog.NewJSONHandler(w, opts)}
}

// handler scrubs records and passes them to inner. It holds no mutable
// state, so it is safe for concurrent use as slog requires.
type handler struct {
	inner slog.Handler
	// hidden is set inside a group whose name names a secret: every value
	// logged under it is redacted.
	hidden bool
}

// Enabled defers to the JSON handler's level.
func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle scrubs the record's message and attributes and encodes the result.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, scrub.String(r.Message), r.PC)
	var inline [16]slog.Attr
	attrs := inline[:0]
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, cleanAttr(a, h.hidden))
		return true
	})
	out.AddAttrs(attrs...)
	return h.inner.Handle(ctx, out)
}

// WithAttrs scrubs attrs once, here, rather than on every record.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = cleanAttr(a, h.hidden)
	}
	return &handler{inner: h.inner.WithAttrs(clean), hidden: h.hidden}
}

// WithGroup opens a group; a group named for a secret hides all it holds.
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{
		inner:  h.inner.WithGroup(scrub.String(name)),
		hidden: h.hidden || secretKey(name),
	}
}
