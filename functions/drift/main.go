// Command drift is the scheduled drift and verification Lambda:
// EventBridge invokes it hourly; each invocation does up to
// TOLLGATE_DRIFT_MAX_RUN of work and the next resumes from the job's
// checkpoint. Per org it flags drift of the models in use, then verifies
// every applied recommendation (and rolls back those that asked for it).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/tollgate-dev/tollgate/shared/config"
	"github.com/tollgate-dev/tollgate/shared/drift"
	"github.com/tollgate-dev/tollgate/shared/logging"
	"github.com/tollgate-dev/tollgate/shared/verify"
)

func main() {
	env := config.FromOS()
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(env.StringOr("TOLLGATE_LOG_LEVEL", "INFO")))
	logger := logging.New(os.Stdout, level)

	table := env.String("TOLLGATE_TABLE")
	settings := drift.Settings{
		Table:         table,
		TenantRoleARN: env.String("TOLLGATE_TENANT_ROLE_ARN"),
		MaxRun:        env.Duration("TOLLGATE_DRIFT_MAX_RUN", 4*time.Minute),
	}
	if err := env.Err(); err != nil {
		fail(logger, err)
	}
	verifier, err := verify.Assemble(table, nil, logger)
	if err != nil {
		fail(logger, err)
	}
	settings.Also = verifier.Step
	fn, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		fail(logger, fmt.Errorf("load AWS config: %w", err))
	}
	job, err := drift.Assemble(fn, settings, logger)
	if err != nil {
		fail(logger, err)
	}
	lambda.Start(func(ctx context.Context, ev events.EventBridgeEvent) (drift.Report, error) {
		logger.InfoContext(ctx, "drift invoked", "source", ev.Source, "time", ev.Time.UTC())
		return job.Run(ctx)
	})
}

func fail(logger *slog.Logger, err error) {
	logger.Error("drift cannot start", "error", err)
	os.Exit(1)
}
