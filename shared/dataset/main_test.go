package dataset_test

import (
	"context"
	"testing"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions
	envelope *secrets.Envelope
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "dataset-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		envelope = secrets.New(secrets.Config{Table: s.TableName, KMSKeyARN: s.KeyARN})
		sessions, err = s.TenantSessions(context.Background(), "GatewayFunctionRole")
		return err
	})
}

// tenantOrg is a fresh org as the gateway sees it: its scoped session and
// its keys.
type tenantOrg struct {
	id   string
	sc   *tenant.Scoped
	keys dataset.OrgKeys
}

func newOrg(t *testing.T) tenantOrg {
	t.Helper()
	org := id.New(id.Org)
	sc, err := sessions.For(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return tenantOrg{id: org, sc: sc,
		keys: dataset.Bind(envelope, secrets.Scope{Org: org, DynamoDB: sc.DynamoDB, KMS: sc.KMS})}
}

func newStore() *dataset.Store { return dataset.NewStore(dataset.Config{Table: stack.TableName}) }
