package recommend_test

import (
	"context"
	"testing"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

var (
	stack   *localstack.Stack
	workers *tenant.Sessions // as the eval worker decides
	admins  *tenant.Sessions // as the management API applies
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "recommend-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		ctx := context.Background()
		if workers, err = s.TenantSessions(ctx, "EvalWorkerFunctionRole"); err != nil {
			return err
		}
		admins, err = s.TenantSessions(ctx, "ApiFunctionRole")
		return err
	})
}

// scoped returns a fresh org's session through sessions.
func scoped(t *testing.T, sessions *tenant.Sessions, org string) *tenant.Scoped {
	t.Helper()
	if org == "" {
		org = id.New(id.Org)
	}
	sc, err := sessions.For(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
