package ingest

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/idempotency"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Settings are the deployment's values for ingestion, read from the
// environment by the function's main (or set by the local runner).
type Settings struct {
	Table         string
	TenantRoleARN string
	KMSKeyARN     string
	// RevocationDelay bounds how long a revoked token keeps working.
	RevocationDelay time.Duration
	// SettingsTTL bounds how long a workspace settings change takes to apply.
	SettingsTTL time.Duration
	// Concurrency bounds the events of one batch written at once.
	Concurrency int
	Clock       func() time.Time
}

// Assemble builds the ingestion handler. fn is an AWS config carrying the
// function's own role, which may read only token lookups; every event is
// written through a TenantRole session of the token's org made from it.
func Assemble(fn aws.Config, s Settings, logger *slog.Logger) (*Handler, error) {
	if s.Table == "" || s.TenantRoleARN == "" || s.KMSKeyARN == "" {
		return nil, fmt.Errorf("assemble ingest: table, tenant role and KMS key are required")
	}
	sealer := secrets.New(secrets.Config{Table: s.Table, KMSKeyARN: s.KMSKeyARN, Clock: s.Clock})
	tenantBase := fn.Copy()
	tenantBase.Credentials = aws.AnonymousCredentials{}
	return New(Config{
		Auth: auth.New(auth.Config{
			Table: s.Table, DB: dynamodb.NewFromConfig(fn), CacheTTL: s.RevocationDelay, Clock: s.Clock,
		}),
		Tenants: tenant.New(tenant.Config{
			RoleARN: s.TenantRoleARN, Base: tenantBase, STS: sts.NewFromConfig(fn), Clock: s.Clock,
		}),
		Workspaces:  workspace.NewStore(workspace.Config{Table: s.Table, CacheTTL: s.SettingsTTL, Clock: s.Clock}),
		Sealer:      sealer,
		Idempotency: idempotency.New(s.Table, sealer, s.Clock),
		Traces:      trace.NewStore(s.Table, s.Clock),
		Feedback:    feedback.NewStore(s.Table, feedback.WithClock(s.Clock)),
		Touch:       token.NewToucher(s.Table, time.Minute, s.Clock),
		Logger:      logger,
		Clock:       s.Clock,
		Concurrency: s.Concurrency,
	}), nil
}
