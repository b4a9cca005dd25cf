package workspace_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

var (
	stack    *localstack.Stack
	sessions *tenant.Sessions
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "workspace-test"}, func(s *localstack.Stack) (err error) {
		stack = s
		sessions, err = s.TenantSessions(context.Background(), "GatewayFunctionRole")
		return err
	})
}

func TestDirectoryCreateListRename(t *testing.T) {
	ctx := context.Background()
	org := id.New(id.Org)
	sc, err := sessions.For(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	st := workspace.NewStore(workspace.Config{Table: stack.TableName})
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	if err := st.PutOrg(ctx, sc.DynamoDB, org, workspace.Org{Name: "acme"}); err != nil {
		t.Fatal(err)
	}
	a, b := id.New(id.Workspace), id.New(id.Workspace)
	for _, ws := range []string{a, b} {
		if _, err := st.Create(ctx, sc.DynamoDB, org, ws, "team "+ws[len(ws)-4:], now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Create(ctx, sc.DynamoDB, org, a, "again", now); apperr.As(err).Code != "workspace_exists" {
		t.Fatalf("second create: %v", err)
	}
	list, err := st.List(ctx, sc.DynamoDB, org)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	snap, err := st.Load(ctx, sc.DynamoDB, org, a)
	if err != nil || snap.Settings.RetentionDays != 90 || snap.Settings.RedactAfterDays != 30 || snap.Settings.StoreContentAllowed {
		t.Fatalf("a created workspace has the documented defaults: %+v %v", snap, err)
	}
	if err := st.Rename(ctx, sc.DynamoDB, org, a, "renamed"); err != nil {
		t.Fatal(err)
	}
	if e, err := st.Get(ctx, sc.DynamoDB, org, a); err != nil || e.Name != "renamed" || !e.Created.Equal(now) {
		t.Fatalf("get after rename: %+v %v", e, err)
	}
	if err := st.Rename(ctx, sc.DynamoDB, org, id.New(id.Workspace), "x"); apperr.As(err).Code != "workspace_not_found" {
		t.Fatalf("rename of an absent workspace: %v", err)
	}
	for _, bad := range []string{"", strings.Repeat("x", 101), "tab\there", "\xff"} {
		if _, err := st.Create(ctx, sc.DynamoDB, org, id.New(id.Workspace), bad, now); apperr.As(err).Code != "invalid_name" {
			t.Fatalf("name %q: %v", bad, err)
		}
	}
	// Another org's session cannot read this directory: the policy refuses it.
	other, err := sessions.For(ctx, id.New(id.Org))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.List(ctx, other.DynamoDB, org); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("org B listing org A's workspaces: %v", err)
	}
}
