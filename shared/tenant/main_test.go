package tenant_test

import (
	"context"
	"testing"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

// stack is the package's one local stack (DynamoDB Local, moto, enforcing endpoint).
var stack *localstack.Stack

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "tenant-test"}, func(s *localstack.Stack) error {
		stack = s
		return nil
	})
}

// gatewaySessions returns Sessions that assume TenantRole the way the
// gateway does: with the gateway function role's own credentials.
func gatewaySessions(t *testing.T, cfgs ...func(*tenant.Config)) *tenant.Sessions {
	t.Helper()
	s, err := stack.TenantSessions(context.Background(), "GatewayFunctionRole", cfgs...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
