package member_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/member"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions
	store    *member.Store
)

var now = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "member-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		store = member.NewStore(s.TableName, func() time.Time { return now })
		sessions, err = s.TenantSessions(context.Background(), "GatewayFunctionRole")
		return err
	})
}

func newOrg(t *testing.T) (string, *tenant.Scoped) {
	t.Helper()
	org := id.New(id.Org)
	sc, err := sessions.For(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	return org, sc
}

// add stores a member or fails the test.
func add(t *testing.T, sc *tenant.Scoped, org, email string, role member.Role) member.Member {
	t.Helper()
	m, err := store.Add(context.Background(), sc.DynamoDB, org, member.Member{Email: email, Name: "Test " + email, Role: role})
	if err != nil {
		t.Fatalf("add %s: %v", email, err)
	}
	return m
}

// wantCode fails the test unless err is an apperr of the given kind and code.
func wantCode(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s/%s", kind, code)
	}
	if e := apperr.As(err); e.Kind != kind || e.Code != code {
		t.Fatalf("got %s/%s (%v), want %s/%s", e.Kind, e.Code, err, kind, code)
	}
}

// owners counts the owner items and checks the counter agrees with them.
func owners(t *testing.T, sc *tenant.Scoped, org string) int {
	t.Helper()
	ctx := context.Background()
	all, err := store.List(ctx, sc.DynamoDB, org)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range all {
		if m.Role == member.Owner {
			n++
		}
	}
	c, err := store.OwnerCount(ctx, sc.DynamoDB, org)
	if err != nil {
		t.Fatal(err)
	}
	if c != int64(n) {
		t.Fatalf("owner counter %d, but %d owner items", c, n)
	}
	return n
}
