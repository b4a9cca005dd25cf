package evalwork

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/evalcall"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/outbound"
	"github.com/tollgate-dev/tollgate/shared/provider/adapters"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Settings are the deployment's values for the eval worker, read from the
// environment by the function's main (or set by the local runner).
type Settings struct {
	Table, TenantRoleARN, KMSKeyARN string
	QueueURL                        string
	MockEnabled                     bool
	Mock                            mock.Options
	AllowLoopback                   []string
	RuntimeAPI                      string
	// Visibility and MaxReceive are the queue's (see HandlerConfig).
	Visibility time.Duration
	MaxReceive int
	// LeaseFor, CallTimeout, BudgetTimeout and HoldFor tune the worker,
	// its provider calls and its reservations.
	LeaseFor, CallTimeout, BudgetTimeout, HoldFor time.Duration
	Clock                                         func() time.Time
}

// Assemble builds the worker's handler. fn carries the function's own
// role, which may only assume TenantRole and touch the queue; every read
// and write of tenant data goes through a session scoped to the message's
// org.
func Assemble(fn aws.Config, s Settings, logger *slog.Logger) (*Handler, error) {
	if s.Table == "" || s.TenantRoleARN == "" || s.KMSKeyARN == "" || s.QueueURL == "" {
		return nil, fmt.Errorf("assemble eval worker: table, tenant role, KMS key and queue are required")
	}
	client := outbound.New(outbound.Config{AllowLoopback: s.AllowLoopback, RuntimeAPI: s.RuntimeAPI}).HTTPClient()
	providers, err := adapters.All(client, s.MockEnabled, s.Mock)
	if err != nil {
		return nil, fmt.Errorf("assemble eval worker: %w", err)
	}
	tenantBase := fn.Copy()
	tenantBase.Credentials = aws.AnonymousCredentials{}
	envelope := secrets.New(secrets.Config{Table: s.Table, KMSKeyARN: s.KMSKeyARN, Clock: s.Clock})
	traces := trace.NewStore(s.Table, s.Clock)
	runs := evalrun.New(s.Table, s.Clock)
	workspaces := workspace.NewStore(workspace.Config{Table: s.Table, CacheTTL: 5 * time.Second, Clock: s.Clock})
	decider := &recommend.Decider{Store: recommend.NewStore(s.Table, s.Clock), Runs: runs, Aggregates: traces,
		Settings: workspaces, Logger: logger, Clock: s.Clock}
	w := New(Config{
		Tenants:    tenant.New(tenant.Config{RoleARN: s.TenantRoleARN, Base: tenantBase, STS: sts.NewFromConfig(fn), Clock: s.Clock}),
		Runs:       runs,
		Workspaces: workspaces,
		Calls: evalcall.New(evalcall.Config{
			Gate:    budget.New(budget.Config{Table: s.Table, Timeout: s.BudgetTimeout, HoldFor: s.HoldFor, Clock: s.Clock}),
			Secrets: envelope, Providers: providers,
			MockEnabled: s.MockEnabled, Timeout: s.CallTimeout, Logger: logger,
		}),
		Sources: Sources{
			Datasets: dataset.NewStore(dataset.Config{Table: s.Table, Clock: s.Clock}),
			Shadow:   shadow.NewStore(s.Table, s.Clock),
			Traces:   traces,
			Clock:    s.Clock,
		},
		Envelope: envelope,
		Logger:   logger,
		LeaseFor: s.LeaseFor,
		Decide: func(ctx context.Context, sc *tenant.Scoped, run evalrun.Run, final bool) error {
			_, err := decider.Decide(ctx, sc.DynamoDB, run, final)
			return err
		},
	})
	return NewHandler(HandlerConfig{Worker: w, SQS: sqs.NewFromConfig(fn), QueueURL: s.QueueURL,
		Visibility: s.Visibility, MaxReceive: s.MaxReceive, Logger: logger}), nil
}
