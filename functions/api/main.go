// Command api is the management API Lambda: a net/http handler behind API
// Gateway's REST proxy integration, adapted by aws-lambda-go-api-proxy. It
// reads its configuration once, builds the server from the embedded OpenAPI
// document and hands it to the adapter.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/tollgate-dev/tollgate/shared/api"
	"github.com/tollgate-dev/tollgate/shared/config"
	"github.com/tollgate-dev/tollgate/shared/logging"
)

func main() {
	env := config.FromOS()
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(env.StringOr("TOLLGATE_LOG_LEVEL", "INFO")))
	logger := logging.New(os.Stdout, level)

	settings := api.Settings{
		Table:           env.String("TOLLGATE_TABLE"),
		TenantRoleARN:   env.String("TOLLGATE_TENANT_ROLE_ARN"),
		KMSKeyARN:       env.String("TOLLGATE_KMS_KEY_ARN"),
		RevocationDelay: env.Duration("TOLLGATE_REVOCATION_DELAY", 10*time.Second),
		AllowLoopback:   env.List("TOLLGATE_ALLOW_LOOPBACK", nil),
		EvalQueueURL:    env.StringOr("TOLLGATE_EVAL_QUEUE_URL", ""),
		MockEnabled:     env.Bool("TOLLGATE_ENABLE_MOCK", false),
	}
	if err := env.Err(); err != nil {
		fail(logger, err)
	}
	fn, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		fail(logger, fmt.Errorf("load AWS config: %w", err))
	}
	srv, err := api.Assemble(fn, settings, logger)
	if err != nil {
		fail(logger, err)
	}
	lambda.Start(httpadapter.New(srv).ProxyWithContext)
}

func fail(logger *slog.Logger, err error) {
	logger.Error("api cannot start", "error", err)
	os.Exit(1)
}
