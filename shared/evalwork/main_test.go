package evalwork_test

import (
	"testing"

	"github.com/tollgate-dev/tollgate/infra/localstack"
)

var stack *localstack.Stack

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "evalwork-test"}, func(s *localstack.Stack) error {
		stack = s
		return nil
	})
}
