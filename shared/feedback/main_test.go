package feedback_test

import (
	"context"
	"testing"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions
)

// TestMain starts the local stack (DynamoDB Local behind the enforcing
// endpoint, moto) once for the package; every test uses fresh orgs.
func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "feedback-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		sessions, err = s.TenantSessions(context.Background(), "GatewayFunctionRole")
		return err
	})
}

// newOrg returns a fresh org and its TenantRole session.
func newOrg(t *testing.T) (string, *tenant.Scoped) {
	t.Helper()
	org := id.New(id.Org)
	sc, err := sessions.For(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return org, sc
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
