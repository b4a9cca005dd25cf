package localstack

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/shared/tenant"
)

// Main is a package's TestMain: it starts one stack for the package, hands
// it to setup, runs the tests and stops everything. A stack that cannot
// start fails the run with the reason; tests are never skipped.
func Main(m interface{ Run() int }, opts Options, setup func(*Stack) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	s, err := Start(ctx, opts)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "local stack failed to start:", err)
		os.Exit(1)
	}
	if setup != nil {
		if err := setup(s); err != nil {
			fmt.Fprintln(os.Stderr, "test setup:", err)
			s.Close()
			os.Exit(1)
		}
	}
	code := m.Run()
	s.Close()
	os.Exit(code)
}

// TenantSessions returns tenant sessions that assume TenantRole the way
// the function whose role is functionRole does (e.g. "GatewayFunctionRole").
func (s *Stack) TenantSessions(ctx context.Context, functionRole string, cfgs ...func(*tenant.Config)) (*tenant.Sessions, error) {
	fn, err := s.RoleConfig(ctx, functionRole)
	if err != nil {
		return nil, err
	}
	cfg := tenant.Config{
		RoleARN: s.TenantRoleARN,
		Base:    s.Config(aws.AnonymousCredentials{}),
		STS:     sts.NewFromConfig(fn),
	}
	for _, f := range cfgs {
		f(&cfg)
	}
	return tenant.New(cfg), nil
}
