package drift

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Settings are the deployment's values for the job, read from the
// environment by the function's main (or set by the local runner). Zero
// values take Config's defaults.
type Settings struct {
	Table         string
	TenantRoleARN string
	MaxRun        time.Duration
	Recent        time.Duration
	Reference     time.Duration
	Clock         func() time.Time
	// Also is each org's optional second step (see Config.Also).
	Also AlsoFunc
}

// Assemble builds the job. fn is an AWS config carrying the function's own
// role, which may only read the org registry, keep the checkpoint and
// assume TenantRole; every org's work is done through a session of that
// org.
func Assemble(fn aws.Config, s Settings, logger *slog.Logger) (*Job, error) {
	if s.Table == "" || s.TenantRoleARN == "" {
		return nil, fmt.Errorf("assemble drift: table and tenant role are required")
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
		Feedback:  feedback.NewStore(s.Table, feedback.WithClock(s.Clock)),
		Logger:    logger,
		Clock:     s.Clock,
		MaxRun:    s.MaxRun,
		Recent:    s.Recent,
		Reference: s.Reference,
		Also:      s.Also,
	})
}
