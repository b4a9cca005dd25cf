// Command ingest is the trace-ingestion Lambda: Tollgate's JSON batches and
// OTLP/HTTP JSON spans, behind API Gateway REST with buffered responses. It
// reads its configuration once, builds the handler and hands it to the
// Lambda adapter.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/tollgate-dev/tollgate/shared/config"
	"github.com/tollgate-dev/tollgate/shared/ingest"
	"github.com/tollgate-dev/tollgate/shared/lambdahttp"
	"github.com/tollgate-dev/tollgate/shared/logging"
)

func main() {
	env := config.FromOS()
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(env.StringOr("TOLLGATE_LOG_LEVEL", "INFO")))
	logger := logging.New(os.Stdout, level)

	settings := ingest.Settings{
		Table:           env.String("TOLLGATE_TABLE"),
		TenantRoleARN:   env.String("TOLLGATE_TENANT_ROLE_ARN"),
		KMSKeyARN:       env.String("TOLLGATE_KMS_KEY_ARN"),
		RevocationDelay: env.Duration("TOLLGATE_REVOCATION_DELAY", 10*time.Second),
		SettingsTTL:     env.Duration("TOLLGATE_SETTINGS_TTL", 5*time.Second),
		Concurrency:     int(env.Int64("TOLLGATE_INGEST_CONCURRENCY", 8, 1, 64)),
	}
	if err := env.Err(); err != nil {
		fail(logger, err)
	}
	fn, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		fail(logger, fmt.Errorf("load AWS config: %w", err))
	}
	h, err := ingest.Assemble(fn, settings, logger)
	if err != nil {
		fail(logger, err)
	}
	lambdahttp.Start(h, lambdahttp.Options{Logger: logger})
}

func fail(logger *slog.Logger, err error) {
	logger.Error("ingest cannot start", "error", err)
	os.Exit(1)
}
