package lambdahttp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// Start hands h to the Lambda runtime and never returns; it is all a
// function's main needs after building its handler. Build with
// -tags lambda.norpc: the streaming response needs the Runtime API client.
func Start(h http.Handler, opts Options) {
	lambda.Start(Handler(h, opts))
}

// Handler adapts h to the Lambda handler signature for API Gateway REST
// events with response streaming. It returns as soon as h commits its
// headers (WriteHeader, first Write, Flush, or return), while h keeps
// running and writing into the returned body. Safe for concurrent use, as
// Lambda may run several invocations in one environment.
func Handler(h http.Handler, opts Options) func(ctx context.Context, ev events.APIGatewayProxyRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
	opts = opts.withDefaults()
	return func(ctx context.Context, ev events.APIGatewayProxyRequest) (resp *events.LambdaFunctionURLStreamingResponse, err error) {
		defer func() {
			if v := recover(); v != nil {
				logPanic(ctx, opts.Logger, ev.RequestContext.RequestID, v)
				resp, err = errorResponse(internalError()), nil
			}
		}()
		req, aerr := newRequest(ctx, ev, opts.MaxBodyBytes)
		if aerr != nil {
			opts.Logger.InfoContext(ctx, "request rejected",
				"request_id", ev.RequestContext.RequestID,
				"status", aerr.Kind.HTTPStatus(),
				"code", aerr.Code)
			return errorResponse(aerr), nil
		}
		return serve(h, req, opts.Logger), nil
	}
}

// serve runs h in its own goroutine and waits only until the headers are
// committed; the body follows through a pipe the runtime reads.
func serve(h http.Handler, req *http.Request, logger *slog.Logger) *events.LambdaFunctionURLStreamingResponse {
	ctx, cancel := context.WithCancelCause(req.Context())
	pr, pw := io.Pipe()
	gone := new(atomic.Bool)
	w := newResponseWriter(pw, req.Method == http.MethodHead, gone)
	go run(h, w, req.WithContext(ctx), cancel, logger)
	<-w.ready
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: w.prelude.status,
		Headers:    w.prelude.headers,
		Cookies:    w.prelude.cookies,
		Body:       &stream{pipe: pr, gone: gone, cancel: cancel},
	}
}

// run is the handler goroutine's edge: it ends the stream however the
// handler ends, and a panic never leaves the process.
func run(h http.Handler, w *responseWriter, req *http.Request, cancel context.CancelCauseFunc, logger *slog.Logger) {
	defer cancel(nil)
	defer func() {
		v := recover()
		if v == nil {
			w.finish()
			return
		}
		if v != http.ErrAbortHandler {
			logPanic(req.Context(), logger, RequestID(req.Context()), v)
		}
		w.fail()
	}()
	h.ServeHTTP(w, req)
}

// logPanic records a recovered panic with its stack. The logger is the
// scrubbing one; the client never sees any of this.
func logPanic(ctx context.Context, logger *slog.Logger, requestID string, v any) {
	logger.ErrorContext(ctx, "panic in http handler",
		"request_id", requestID,
		"panic", fmt.Sprint(v),
		"stack", string(debug.Stack()))
}

// stream is the response body the runtime reads. Closing it (the runtime
// does once its POST ends, successfully or not) cancels the handler's
// context and fails its later writes.
type stream struct {
	pipe   *io.PipeReader
	gone   *atomic.Bool
	cancel context.CancelCauseFunc
}

func (s *stream) Read(p []byte) (int, error) { return s.pipe.Read(p) }

func (s *stream) Close() error {
	s.gone.Store(true)
	s.cancel(ErrStreamClosed)
	return s.pipe.CloseWithError(ErrStreamClosed)
}
