// Command evalworker is the evaluation Lambda: it takes chunks of a run's
// items from the eval queue, scores them on the tenant's own keys under
// the run's guardrails, and reports the messages to deliver again.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/tollgate-dev/tollgate/shared/config"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/logging"
)

func main() {
	env := config.FromOS()
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(env.StringOr("TOLLGATE_LOG_LEVEL", "INFO")))
	logger := logging.New(os.Stdout, level)

	settings := evalwork.Settings{
		Table:         env.String("TOLLGATE_TABLE"),
		TenantRoleARN: env.String("TOLLGATE_TENANT_ROLE_ARN"),
		KMSKeyARN:     env.String("TOLLGATE_KMS_KEY_ARN"),
		QueueURL:      env.String("TOLLGATE_EVAL_QUEUE_URL"),
		MockEnabled:   env.Bool("TOLLGATE_ENABLE_MOCK", false),
		AllowLoopback: env.List("TOLLGATE_ALLOW_LOOPBACK", nil),
		RuntimeAPI:    env.StringOr("AWS_LAMBDA_RUNTIME_API", ""),
		Visibility:    env.Duration("TOLLGATE_EVAL_VISIBILITY", 900*time.Second),
		MaxReceive:    int(env.Int64("TOLLGATE_EVAL_MAX_RECEIVE", 5, 1, 1000)),
		LeaseFor:      env.Duration("TOLLGATE_EVAL_LEASE", 10*time.Minute),
		CallTimeout:   env.Duration("TOLLGATE_EVAL_CALL_TIMEOUT", 120*time.Second),
		BudgetTimeout: env.Duration("TOLLGATE_BUDGET_TIMEOUT", 2*time.Second),
		HoldFor:       env.Duration("TOLLGATE_RESERVATION_HOLD", 16*time.Minute),
	}
	if err := env.Err(); err != nil {
		fail(logger, err)
	}
	fn, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		fail(logger, fmt.Errorf("load AWS config: %w", err))
	}
	h, err := evalwork.Assemble(fn, settings, logger)
	if err != nil {
		fail(logger, err)
	}
	lambda.Start(h.Handle)
}

func fail(logger *slog.Logger, err error) {
	logger.Error("eval worker cannot start", "error", err)
	os.Exit(1)
}
