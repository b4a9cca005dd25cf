// Command gateway is the inference Lambda: the OpenAI-compatible API behind
// API Gateway REST with response streaming. It reads its configuration once,
// builds the handler and hands it to the streaming adapter.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/tollgate-dev/tollgate/shared/config"
	"github.com/tollgate-dev/tollgate/shared/gateway"
	"github.com/tollgate-dev/tollgate/shared/lambdahttp"
	"github.com/tollgate-dev/tollgate/shared/logging"
)

func main() {
	env := config.FromOS()
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(env.StringOr("TOLLGATE_LOG_LEVEL", "INFO")))
	logger := logging.New(os.Stdout, level)

	settings := gateway.Settings{
		Table:         env.String("TOLLGATE_TABLE"),
		TenantRoleARN: env.String("TOLLGATE_TENANT_ROLE_ARN"),
		KMSKeyARN:     env.String("TOLLGATE_KMS_KEY_ARN"),
		MockEnabled:   env.Bool("TOLLGATE_ENABLE_MOCK", false),
		// Loopback upstreams allowed over plain http: local stacks and tests only.
		AllowLoopback:   env.List("TOLLGATE_ALLOW_LOOPBACK", nil),
		RuntimeAPI:      env.StringOr("AWS_LAMBDA_RUNTIME_API", ""),
		RevocationDelay: env.Duration("TOLLGATE_REVOCATION_DELAY", 10*time.Second),
		SettingsTTL:     env.Duration("TOLLGATE_SETTINGS_TTL", 5*time.Second),
		BudgetTimeout:   env.Duration("TOLLGATE_BUDGET_TIMEOUT", 2*time.Second),
		HoldFor:         env.Duration("TOLLGATE_RESERVATION_HOLD", 16*time.Minute),
	}
	if err := env.Err(); err != nil {
		fail(logger, err)
	}
	fn, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		fail(logger, fmt.Errorf("load AWS config: %w", err))
	}
	h, err := gateway.Assemble(fn, settings, logger)
	if err != nil {
		fail(logger, err)
	}
	lambdahttp.Start(h, lambdahttp.Options{Logger: logger})
}

func fail(logger *slog.Logger, err error) {
	logger.Error("gateway cannot start", "error", err)
	os.Exit(1)
}
