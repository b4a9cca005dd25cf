package verify_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

var (
	stack    *localstack.Stack
	fnConfig aws.Config       // the drift function's own role, which runs the loop
	sessions *tenant.Sessions // TenantRole sessions as the drift function makes them
	operator *dynamodb.Client // the operator's view, for registering orgs
)

// TestMain starts the local stack (DynamoDB Local behind the enforcing
// endpoint, moto) once for the package; every test uses a fresh org.
func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "verify-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		ctx := context.Background()
		if fnConfig, err = s.RoleConfig(ctx, "DriftFunctionRole"); err != nil {
			return err
		}
		if sessions, err = s.TenantSessions(ctx, "DriftFunctionRole"); err != nil {
			return err
		}
		operator = dynamodb.NewFromConfig(s.OperatorConfig())
		return nil
	})
}
