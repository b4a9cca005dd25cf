package secrets_test

import (
	"context"
	"testing"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "secrets-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		sessions, err = s.TenantSessions(context.Background(), "GatewayFunctionRole")
		return err
	})
}

// newOrg returns a fresh org's scope, made from its TenantRole session.
func newOrg(t *testing.T) secrets.Scope {
	t.Helper()
	org := id.New(id.Org)
	sc, err := sessions.For(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return secrets.Scope{Org: org, DynamoDB: sc.DynamoDB, KMS: sc.KMS}
}

func newEnvelope(cfgs ...func(*secrets.Config)) *secrets.Envelope {
	cfg := secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN}
	for _, f := range cfgs {
		f(&cfg)
	}
	return secrets.New(cfg)
}
