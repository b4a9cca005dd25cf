// Command tollgate-local runs the whole system on one machine (`make run`):
// the local AWS stack with its enforcing endpoint, every HTTP function on
// one port, the built-in mock provider, and a seeded demo org whose URL and
// key go to .local/demo.env. It stays in the foreground until Ctrl-C and
// stops everything it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/infra/sqspoll"
	"github.com/tollgate-dev/tollgate/shared/api"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/gateway"
	"github.com/tollgate-dev/tollgate/shared/ingest"
	"github.com/tollgate-dev/tollgate/shared/logging"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
	"github.com/tollgate-dev/tollgate/shared/retention"
)

func main() {
	addr := flag.String("addr", envOr("TOLLGATE_ADDR", "127.0.0.1:8787"), "address to serve the functions on")
	verbose := flag.Bool("v", false, "log every request")
	every := flag.Duration("retention-every", envDuration("TOLLGATE_RETENTION_EVERY", time.Minute),
		"how often the retention job runs (hourly in AWS)")
	flag.Parse()
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := logging.New(os.Stderr, level)
	if err := run(*addr, *every, logger); err != nil {
		fmt.Fprintln(os.Stderr, "tollgate-local:", err)
		os.Exit(1)
	}
}

func run(addr string, retentionEvery time.Duration, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	root, err := localstack.RepoRoot()
	if err != nil {
		return err
	}
	stack, err := localstack.Start(ctx, localstack.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer stack.Close()

	fn, err := stack.RoleConfig(ctx, "GatewayFunctionRole")
	if err != nil {
		return err
	}
	gw, err := gateway.Assemble(fn, gateway.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
		MockEnabled: true, HoldFor: 16 * time.Minute,
		// Realistic pacing, so streaming is visible in a terminal.
		Mock: mock.Options{FirstByteDelay: 150 * time.Millisecond, ChunkDelay: 20 * time.Millisecond},
	}, logger)
	if err != nil {
		return err
	}
	ingestRole, err := stack.RoleConfig(ctx, "IngestFunctionRole")
	if err != nil {
		return err
	}
	ing, err := ingest.Assemble(ingestRole, ingest.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
	}, logger)
	if err != nil {
		return err
	}
	apiRole, err := stack.RoleConfig(ctx, "ApiFunctionRole")
	if err != nil {
		return err
	}
	evalQueue := stack.Env.Physical["EvalQueue"]
	mgmt, err := api.Assemble(apiRole, api.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
		EvalQueueURL: evalQueue.Ref, MockEnabled: true,
	}, logger)
	if err != nil {
		return err
	}
	retentionRole, err := stack.RoleConfig(ctx, "RetentionFunctionRole")
	if err != nil {
		return err
	}
	job, err := retention.Assemble(retentionRole, retention.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN,
	}, logger)
	if err != nil {
		return err
	}
	workerRole, err := stack.RoleConfig(ctx, "EvalWorkerFunctionRole")
	if err != nil {
		return err
	}
	// Locally a dead worker's chunk comes back within a minute, not fifteen.
	const visibility = time.Minute
	worker, err := evalwork.Assemble(workerRole, evalwork.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN, QueueURL: evalQueue.Ref,
		MockEnabled: true, Visibility: visibility, MaxReceive: 5, LeaseFor: visibility, HoldFor: 16 * time.Minute,
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
		return err
	}
	go func() {
		if err := poller.Run(ctx); err != nil {
			logger.Error("eval worker", "error", err)
		}
	}()
	retentionJob := &scheduled[retention.Report]{name: "retention", run: job.Run, logger: logger}
	go retentionJob.tick(ctx, retentionEvery)
	d, err := demo.Seed(ctx, stack)
	if err != nil {
		return err
	}

	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set TOLLGATE_ADDR to change it): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/traces", ing)
	mux.Handle("POST /v1/otlp/v1/traces", ing)
	mux.Handle("/v1/", gw)
	mux.Handle("/api/v1/", mgmt)
	mux.Handle("POST /local/jobs/retention", retentionJob)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("serve", "error", err)
			stop()
		}
	}()
	base := "http://" + l.Addr().String() + "/v1"
	envPath := filepath.Join(root, ".local", "demo.env")
	if err := demo.WriteEnv(envPath, base, d); err != nil {
		return err
	}
	stackEnv := fmt.Sprintf("# Written by make run, for tollgate-admin -local.\nTOLLGATE_AWS_ENDPOINT=%s\nTOLLGATE_TABLE=%s\n",
		stack.Endpoint, stack.TableName)
	if err := os.WriteFile(filepath.Join(root, ".local", "stack.env"), []byte(stackEnv), 0o600); err != nil {
		return err
	}

	fmt.Printf(`Tollgate is running locally (ready in %s).

  gateway (OpenAI-compatible)  %s
  trace ingestion              %s/traces (JSON), %s/otlp (OTLP/HTTP JSON exporters)
  management API               http://%s/api/v1 (the demo key acts for the demo org's owner)
  AWS endpoint (enforcing)     %s   DynamoDB, KMS, STS and SQS, with TenantRole enforced
  DynamoDB Local               %s
  moto (KMS, SQS, STS)         %s
  demo org / workspace         %s / %s
  demo key and URL             %s
  retention job                every %s; now: curl -X POST http://%s/local/jobs/retention
  eval worker                  2 workers on the local eval queue (README: "Evaluating a cheaper model")

Try it:
  source .local/demo.env
  curl -s $TOLLGATE_URL/chat/completions -H "Authorization: Bearer $TOLLGATE_API_KEY" \
    -H 'Content-Type: application/json' -d '{"model":"default","messages":[{"role":"user","content":"hello"}]}'

Ctrl-C stops everything.
`, time.Since(started).Round(10*time.Millisecond), base, base, base, l.Addr(), stack.Endpoint, stack.DynamoDBURL, stack.MotoURL,
		d.Org, d.Workspace, envPath, retentionEvery, l.Addr())

	<-ctx.Done()
	fmt.Println("\nstopping…")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
