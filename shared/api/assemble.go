package api

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/drift"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/idempotency"
	"github.com/tollgate-dev/tollgate/shared/member"
	"github.com/tollgate-dev/tollgate/shared/outbound"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Settings are the deployment's values for the API, read from the
// environment by the function's main (or set by the local runner).
type Settings struct {
	Table         string
	TenantRoleARN string
	KMSKeyARN     string
	// RevocationDelay bounds how long a revoked token keeps working here.
	RevocationDelay time.Duration
	// AllowLoopback lists host:port base URLs allowed over plain http
	// (local stacks only), as the gateway's outbound client does.
	AllowLoopback []string
	// EvalQueueURL is the eval queue; empty turns the evaluation routes off.
	EvalQueueURL string
	// MockEnabled resolves the built-in mock provider, as the gateway and
	// the eval worker of the deployment do.
	MockEnabled bool
	Clock       func() time.Time
}

// Assemble builds the API server. fn is an AWS config carrying the
// function's own role, which may touch only token lookups and the org
// registry; every org's data is reached through a TenantRole session.
func Assemble(fn aws.Config, s Settings, logger *slog.Logger) (*Server, error) {
	if s.Table == "" || s.TenantRoleARN == "" || s.KMSKeyARN == "" {
		return nil, fmt.Errorf("assemble api: table, tenant role and KMS key are required")
	}
	own := dynamodb.NewFromConfig(fn)
	sealer := secrets.New(secrets.Config{Table: s.Table, KMSKeyARN: s.KMSKeyARN, Clock: s.Clock})
	tenantBase := fn.Copy()
	tenantBase.Credentials = aws.AnonymousCredentials{}
	datasets := dataset.NewStore(dataset.Config{Table: s.Table, Clock: s.Clock})
	workspaces := workspace.NewStore(workspace.Config{Table: s.Table, Clock: s.Clock})
	var evals *EvalConfig
	if s.EvalQueueURL != "" {
		recs := recommend.NewStore(s.Table, s.Clock)
		evals = &EvalConfig{
			Recommendations: recs,
			Actions:         &recommend.Actions{Store: recs, Aliases: workspaces, Clock: s.Clock},
			Drift:           drift.NewStore(s.Table, s.Clock),
			Runs:            evalrun.New(s.Table, s.Clock),
			Sources: evalwork.Sources{Datasets: datasets, Shadow: shadow.NewStore(s.Table, s.Clock),
				Traces: trace.NewStore(s.Table, s.Clock), Clock: s.Clock},
			Queue: sqs.NewFromConfig(fn), QueueURL: s.EvalQueueURL, MockEnabled: s.MockEnabled,
		}
	}
	return New(Config{
		Table: s.Table,
		Auth:  auth.New(auth.Config{Table: s.Table, DB: own, CacheTTL: s.RevocationDelay, Clock: s.Clock}),
		Tenants: tenant.New(tenant.Config{
			RoleARN: s.TenantRoleARN, Base: tenantBase, STS: sts.NewFromConfig(fn), Clock: s.Clock,
		}),
		Members:     member.NewStore(s.Table, s.Clock),
		Workspaces:  workspaces,
		Tokens:      token.New(token.Config{Table: s.Table, Clock: s.Clock}),
		Datasets:    datasets,
		Evals:       evals,
		Touch:       token.NewToucher(s.Table, time.Minute, s.Clock),
		Lookups:     own,
		Audit:       audit.New(audit.Config{Table: s.Table, Clock: s.Clock}),
		Secrets:     sealer,
		Idempotency: idempotency.New(s.Table, sealer, s.Clock),
		Budget:      budget.New(budget.Config{Table: s.Table, Clock: s.Clock}),
		CheckURL:    outbound.New(outbound.Config{AllowLoopback: s.AllowLoopback}).CheckURL,
		Logger:      logger,
		Clock:       s.Clock,
	})
}
