package gateway

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/outbound"
	"github.com/tollgate-dev/tollgate/shared/provider/adapters"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Settings are the deployment's values for the gateway, read from the
// environment by the function's main (or set by the local runner).
type Settings struct {
	Table         string
	TenantRoleARN string
	KMSKeyARN     string
	// MockEnabled serves the built-in mock provider (always on locally,
	// off by default in AWS).
	MockEnabled bool
	Mock        mock.Options
	// AllowLoopback lists host:port upstreams reachable over plain http
	// (the local stack's mock upstream); empty in production.
	AllowLoopback []string
	// RuntimeAPI is AWS_LAMBDA_RUNTIME_API, never reachable from a tenant URL.
	RuntimeAPI string
	// RevocationDelay bounds how long a revoked token keeps working.
	RevocationDelay time.Duration
	// SettingsTTL bounds how long a settings change takes to apply.
	SettingsTTL time.Duration
	// BudgetTimeout bounds each budget-store round trip (fail closed past it).
	BudgetTimeout time.Duration
	// HoldFor is a reservation's lifetime; it must outlast the function timeout.
	HoldFor time.Duration
	Clock   func() time.Time
}

// Assemble builds the gateway handler. fn is an AWS config carrying the
// function's own role; every tenant access goes through TenantRole sessions
// made from it.
func Assemble(fn aws.Config, s Settings, logger *slog.Logger) (*Handler, error) {
	if s.Table == "" || s.TenantRoleARN == "" || s.KMSKeyARN == "" {
		return nil, fmt.Errorf("assemble gateway: table, tenant role and KMS key are required")
	}
	client := outbound.New(outbound.Config{AllowLoopback: s.AllowLoopback, RuntimeAPI: s.RuntimeAPI}).HTTPClient()
	providers, err := adapters.All(client, s.MockEnabled, s.Mock)
	if err != nil {
		return nil, fmt.Errorf("assemble gateway: %w", err)
	}
	tenantBase := fn.Copy()
	tenantBase.Credentials = aws.AnonymousCredentials{}
	envelope := secrets.New(secrets.Config{Table: s.Table, KMSKeyARN: s.KMSKeyARN, Clock: s.Clock})
	gate := budget.New(budget.Config{Table: s.Table, Timeout: s.BudgetTimeout, HoldFor: s.HoldFor, Clock: s.Clock})
	return New(Config{
		Table: s.Table,
		Auth: auth.New(auth.Config{
			Table: s.Table, DB: dynamodb.NewFromConfig(fn), CacheTTL: s.RevocationDelay, Clock: s.Clock,
		}),
		Tenants: tenant.New(tenant.Config{
			RoleARN: s.TenantRoleARN, Base: tenantBase, STS: sts.NewFromConfig(fn), Clock: s.Clock,
		}),
		Workspaces:  workspace.NewStore(workspace.Config{Table: s.Table, CacheTTL: s.SettingsTTL, Clock: s.Clock}),
		Secrets:     envelope,
		Envelope:    envelope,
		Shadow:      shadow.NewStore(s.Table, s.Clock),
		Gate:        gate,
		Alerts:      gate.NewAlerter(time.Minute),
		Traces:      trace.NewStore(s.Table, s.Clock),
		Touch:       token.NewToucher(s.Table, time.Minute, s.Clock),
		Feedback:    feedback.NewStore(s.Table, feedback.WithClock(s.Clock)),
		Audit:       audit.New(audit.Config{Table: s.Table, Clock: s.Clock}),
		Providers:   providers,
		MockEnabled: s.MockEnabled,
		Logger:      logger,
		Clock:       s.Clock,
	}), nil
}
