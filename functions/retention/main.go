// Command retention is the scheduled retention Lambda: EventBridge invokes
// it hourly; each invocation does up to TOLLGATE_RETENTION_MAX_RUN of work
// and the next resumes from the job's checkpoint.
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
	"github.com/tollgate-dev/tollgate/shared/logging"
	"github.com/tollgate-dev/tollgate/shared/retention"
)

func main() {
	env := config.FromOS()
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(env.StringOr("TOLLGATE_LOG_LEVEL", "INFO")))
	logger := logging.New(os.Stdout, level)

	settings := retention.Settings{
		Table:         env.String("TOLLGATE_TABLE"),
		TenantRoleARN: env.String("TOLLGATE_TENANT_ROLE_ARN"),
		MaxRun:        env.Duration("TOLLGATE_RETENTION_MAX_RUN", 4*time.Minute),
		TokenKeep:     env.Duration("TOLLGATE_TOKEN_KEEP", 30*24*time.Hour),
	}
	if err := env.Err(); err != nil {
		fail(logger, err)
	}
	fn, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		fail(logger, fmt.Errorf("load AWS config: %w", err))
	}
	job, err := retention.Assemble(fn, settings, logger)
	if err != nil {
		fail(logger, err)
	}
	lambda.Start(func(ctx context.Context, ev events.EventBridgeEvent) (retention.Report, error) {
		logger.InfoContext(ctx, "retention invoked", "source", ev.Source, "time", ev.Time.UTC())
		return job.Run(ctx)
	})
}

func fail(logger *slog.Logger, err error) {
	logger.Error("retention cannot start", "error", err)
	os.Exit(1)
}
