package workspace_test

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// fixture is one fresh org with one created workspace, reached through the
// org's scoped client as the management API reaches it.
type fixture struct {
	ctx     context.Context
	st      *workspace.Store
	sc      *tenant.Scoped
	org, ws string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	org := id.New(id.Org)
	sc, err := sessions.For(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	st := workspace.NewStore(workspace.Config{Table: stack.TableName})
	if err := st.PutOrg(ctx, sc.DynamoDB, org, workspace.Org{Name: "acme"}); err != nil {
		t.Fatal(err)
	}
	ws := id.New(id.Workspace)
	if _, err := st.Create(ctx, sc.DynamoDB, org, ws, "team", time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return fixture{ctx: ctx, st: st, sc: sc, org: org, ws: ws}
}

// wantCode fails unless err is an apperr with kind, code and, when given, param.
func wantCode(t *testing.T, what string, err error, kind apperr.Kind, code, param string) {
	t.Helper()
	e := apperr.As(err)
	if err == nil || e.Kind != kind || e.Code != code || (param != "" && e.Param != param) {
		t.Fatalf("%s: want %v %s (param %q), got %v", what, kind, code, param, err)
	}
}

func ptr[T any](v T) *T { return &v }
