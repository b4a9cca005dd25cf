package lambdahttp

import "log/slog"

// DefaultMaxBodyBytes is Lambda's payload limit for a synchronous invocation
// (6 MiB): no larger request can reach the function, so it is the natural
// ceiling when the caller sets none.
const DefaultMaxBodyBytes int64 = 6 << 20

// Options configures Handler. The zero value is usable.
type Options struct {
	// Logger receives panics (with their stack) and rejected requests. Pass
	// the process's scrubbing logger: a panic value may hold anything. Nil
	// means slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes bounds the decoded request body; larger requests are
	// answered 413 before the body is decoded or the handler runs. Zero or
	// less means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return o
}
