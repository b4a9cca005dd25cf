package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/infra/sqspoll"
	"github.com/tollgate-dev/tollgate/shared/api"
	"github.com/tollgate-dev/tollgate/shared/drift"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/gateway"
	"github.com/tollgate-dev/tollgate/shared/ingest"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
	"github.com/tollgate-dev/tollgate/shared/retention"
	"github.com/tollgate-dev/tollgate/shared/verify"
)

// options configure start: main sets them from flags and the environment,
// tests set them directly.
type options struct {
	// addr is the address every function is served on; port 0 picks one.
	addr string
	// retentionEvery and driftEvery are the scheduled jobs' periods.
	retentionEvery, driftEvery time.Duration
	// logger receives every component's logs; nil discards them.
	logger *slog.Logger
}

// system is the running local stack, as start returns it to run and to
// tests.
type system struct {
	// baseURL is the gateway's OpenAI-compatible base, http://addr/v1.
	baseURL string
	// addr is the host:port every function is served on.
	addr string
	// demo is the seeded org, workspace and API key.
	demo demo.Demo
	// regressions degrade the mock's models in the gateway and the eval
	// worker alike; /local/mock/regressions changes them over HTTP.
	regressions *mock.Regressions
	// drift runs the drift job once, as POST /local/jobs/drift does,
	// never at the same time as a scheduled run.
	drift func(context.Context) (drift.Report, error)
	// stack is the local AWS stack the functions use.
	stack *localstack.Stack

	ctx       context.Context // ends when the parent ends, the server fails or Close is called
	cancel    context.CancelFunc
	srv       *http.Server
	workers   sync.WaitGroup // the eval poller and the job tickers
	closeOnce sync.Once
	closeErr  error
}

// Done is closed when the system should stop: its parent context ended or
// its HTTP server failed.
func (s *system) Done() <-chan struct{} { return s.ctx.Done() }

// Close stops the HTTP server, the workers and the local stack, in that
// order, so nothing in flight loses its AWS endpoint. It is safe to call
// more than once and returns the server's shutdown error.
func (s *system) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.srv != nil {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.srv.Shutdown(sctx); err != nil {
				s.closeErr = fmt.Errorf("shut down the local server: %w", err)
			}
		}
		s.workers.Wait()
		s.stack.Close()
	})
	return s.closeErr
}

// start brings up the local AWS stack, assembles every function as its
// Lambda main would, seeds the demo org, starts the eval worker and the
// scheduled jobs and serves the functions on opts.addr. ctx bounds start
// up and, once started, the system's life; Close stops it either way.
func start(ctx context.Context, opts options) (_ *system, err error) {
	if opts.retentionEvery <= 0 || opts.driftEvery <= 0 {
		return nil, errors.New("start: the retention and drift periods must be positive")
	}
	logger := opts.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	stack, err := localstack.Start(ctx, localstack.Options{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("start the local AWS stack: %w", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	s := &system{stack: stack, regressions: &mock.Regressions{}, ctx: sctx, cancel: cancel}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	mux, err := s.assemble(ctx, opts, logger)
	if err != nil {
		return nil, err
	}
	if s.demo, err = demo.Seed(ctx, stack); err != nil {
		return nil, fmt.Errorf("seed the demo org: %w", err)
	}
	l, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (set TOLLGATE_ADDR to change it): %w", opts.addr, err)
	}
	s.addr = l.Addr().String()
	s.baseURL = "http://" + s.addr + "/v1"
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve", "error", err)
			s.cancel()
		}
	}()
	return s, nil
}

// assemble builds every function with its own role from the template,
// starts the background workers and returns the routes.
func (s *system) assemble(ctx context.Context, opts options, logger *slog.Logger) (*http.ServeMux, error) {
	stack := s.stack
	fn, err := stack.RoleConfig(ctx, "GatewayFunctionRole")
	if err != nil {
		return nil, err
	}
	gw, err := gateway.Assemble(fn, gateway.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
		MockEnabled: true, HoldFor: 16 * time.Minute,
		// Realistic pacing, so streaming is visible in a terminal.
		Mock: mock.Options{FirstByteDelay: 150 * time.Millisecond, ChunkDelay: 20 * time.Millisecond, Regressions: s.regressions},
	}, logger)
	if err != nil {
		return nil, err
	}
	ingestRole, err := stack.RoleConfig(ctx, "IngestFunctionRole")
	if err != nil {
		return nil, err
	}
	ing, err := ingest.Assemble(ingestRole, ingest.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
	}, logger)
	if err != nil {
		return nil, err
	}
	apiRole, err := stack.RoleConfig(ctx, "ApiFunctionRole")
	if err != nil {
		return nil, err
	}
	evalQueue := stack.Env.Physical["EvalQueue"]
	mgmt, err := api.Assemble(apiRole, api.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
		EvalQueueURL: evalQueue.Ref, MockEnabled: true,
	}, logger)
	if err != nil {
		return nil, err
	}
	if err := s.startEvalWorker(ctx, logger); err != nil {
		return nil, err
	}
	retentionJob, driftJob, err := s.startJobs(ctx, opts, logger)
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.Handle("POST /v1/traces", ing)
	mux.Handle("POST /v1/traces/feedback", ing)
	mux.Handle("POST /v1/otlp/v1/traces", ing)
	mux.Handle("/v1/", gw)
	mux.Handle("/api/v1/", mgmt)
	mux.Handle("POST /local/jobs/retention", retentionJob)
	mux.Handle("POST /local/jobs/drift", driftJob)
	mockControl{regressions: s.regressions}.register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	return mux, nil
}

// startEvalWorker runs the eval worker on the local eval queue, as the
// SQS event source mapping does in AWS.
func (s *system) startEvalWorker(ctx context.Context, logger *slog.Logger) error {
	stack := s.stack
	workerRole, err := stack.RoleConfig(ctx, "EvalWorkerFunctionRole")
	if err != nil {
		return err
	}
	evalQueue := stack.Env.Physical["EvalQueue"]
	// Locally a dead worker's chunk comes back within a minute, not fifteen.
	const visibility = time.Minute
	worker, err := evalwork.Assemble(workerRole, evalwork.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN, QueueURL: evalQueue.Ref,
		MockEnabled: true, Mock: mock.Options{Regressions: s.regressions},
		Visibility: visibility, MaxReceive: 5, LeaseFor: visibility, HoldFor: 16 * time.Minute,
	}, logger)
	if err != nil {
		return err
	}
	poller, err := sqspoll.New(sqspoll.Config{
		Client: sqs.NewFromConfig(workerRole), QueueURL: evalQueue.Ref, QueueARN: evalQueue.Attrs["Arn"],
		BatchSize: 1, Wait: 5, VisibilityTimeout: int32(visibility / time.Second), Concurrency: 2,
		Invoker: worker, Logger: logger,
	})
	if err != nil {
		return fmt.Errorf("start the eval worker: %w", err)
	}
	s.workers.Go(func() {
		if err := poller.Run(s.ctx); err != nil {
			logger.Error("eval worker", "error", err)
		}
	})
	return nil
}

// startJobs builds the retention and drift jobs, each with its own role,
// and runs them on their schedules until the system stops.
func (s *system) startJobs(ctx context.Context, opts options, logger *slog.Logger) (http.Handler, http.Handler, error) {
	stack := s.stack
	retentionRole, err := stack.RoleConfig(ctx, "RetentionFunctionRole")
	if err != nil {
		return nil, nil, err
	}
	ret, err := retention.Assemble(retentionRole, retention.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN,
	}, logger)
	if err != nil {
		return nil, nil, err
	}
	driftRole, err := stack.RoleConfig(ctx, "DriftFunctionRole")
	if err != nil {
		return nil, nil, err
	}
	verifier, err := verify.Assemble(stack.TableName, nil, logger)
	if err != nil {
		return nil, nil, err
	}
	dr, err := drift.Assemble(driftRole, drift.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, Also: verifier.Step,
	}, logger)
	if err != nil {
		return nil, nil, err
	}
	retentionJob := &scheduled[retention.Report]{name: "retention", run: ret.Run, logger: logger}
	driftJob := &scheduled[drift.Report]{name: "drift", run: dr.Run, logger: logger}
	s.drift = driftJob.once
	s.workers.Go(func() { retentionJob.tick(s.ctx, opts.retentionEvery) })
	s.workers.Go(func() { driftJob.tick(s.ctx, opts.driftEvery) })
	return retentionJob, driftJob, nil
}
