package sqspoll

import "context"

// Invoker runs the function for one batch. It is an interface rather than a
// Lambda client so that the local runner can invoke an in-process handler
// or a real binary through the Runtime API, and tests can pass a plain func.
//
// payload is the events.SQSEvent as JSON. The returned bytes are the
// function's response (an events.SQSEventResponse, or empty/null for "all
// succeeded"). A non-nil error stands for any failed invocation — a
// function error, a crash or a timeout — and makes the whole batch retry.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// InvokerFunc lets an ordinary function serve as an Invoker, so callers need
// not declare a type for a one-line adapter.
type InvokerFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}
