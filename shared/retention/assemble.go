package retention

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Settings are the deployment's values for the job, read from the
// environment by the function's main (or set by the local runner).
type Settings struct {
	Table         string
	TenantRoleARN string
	MaxRun        time.Duration
	TokenKeep     time.Duration
	Clock         func() time.Time
}

// Assemble builds the job. fn is an AWS config carrying the function's own
// role, which may only read the org registry, keep the checkpoint, delete
// token lookups and assume TenantRole; every org's work is done through a
// session of that org.
func Assemble(fn aws.Config, s Settings, logger *slog.Logger) (*Job, error) {
	if s.Table == "" || s.TenantRoleARN == "" {
		return nil, fmt.Errorf("assemble retention: table and tenant role are required")
	}
	tenantBase := fn.Copy()
	tenantBase.Credentials = aws.AnonymousCredentials{}
	return New(Config{
		Table:    s.Table,
		Registry: dynamodb.NewFromConfig(fn),
		Tenants: tenant.New(tenant.Config{
			RoleARN: s.TenantRoleARN, Base: tenantBase, STS: sts.NewFromConfig(fn), Clock: s.Clock,
		}),
		Traces:    trace.NewStore(s.Table, s.Clock),
		Budget:    budget.New(budget.Config{Table: s.Table, Clock: s.Clock}),
		Logger:    logger,
		Clock:     s.Clock,
		MaxRun:    s.MaxRun,
		TokenKeep: s.TokenKeep,
	}), nil
}
