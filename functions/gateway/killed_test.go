package main_test

import (
	"bufio"
	"context"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// TestKilledInvocationHeals kills the real gateway process between reserve
// and settle (mid-stream). Its reservation stays held — spend limits cannot
// know the call is dead — until it expires; then the next reservation that
// meets it releases it, and the workspace's cap is whole again.
func TestKilledInvocationHeals(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := demo.Seed(ctx, stack)
	must(t, err)
	const providerKey = "sk-proj-KILLEDUPSTREAMa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8"
	up := newGatedUpstream(t, providerKey, []string{"first ", "never sent"})
	connectUpstream(t, ctx, d, up.srv.URL, providerKey)
	rt := startFunction(t, ctx, up.srv.URL)

	inv, err := rt.Invoke(ctx, event(t, d.Token, `{"model":"gated/gpt-4o-mini","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"go"}]}`))
	must(t, err)
	r := bufio.NewReader(inv.Body)
	if _, err := r.ReadBytes(0); err != nil { // prelude: the reservation is held by now
		t.Fatal(err)
	}
	rt.Kill() // the invocation dies before it can settle

	sessions, err := stack.TenantSessions(ctx, "GatewayFunctionRole")
	must(t, err)
	sc, err := sessions.For(ctx, d.Org)
	must(t, err)
	now := time.Now()
	gate := budget.New(budget.Config{Table: stack.TableName, Clock: func() time.Time { return now }})
	held, err := gate.Read(ctx, sc.DynamoDB, d.Org, d.Workspace, now)
	must(t, err)
	if held.Reserved == 0 {
		t.Fatal("the killed call holds no reservation: it could not have been capped")
	}
	if n, err := gate.Reconcile(ctx, sc.DynamoDB, d.Org); err != nil || n != 0 {
		t.Fatalf("a live hold was released early: n=%d err=%v", n, err)
	}

	// 17 minutes later (the hold is 16), a call that needs the whole cap
	// finds the expired hold, releases it and goes through.
	now = now.Add(17 * time.Minute)
	res, err := gate.Reserve(ctx, sc.DynamoDB, budget.Request{
		Org: d.Org, Workspace: d.Workspace, RequestID: id.New(id.Request),
		Cost: demo.MonthlyCap - held.Spent, Limits: budget.Limits{WorkspaceCap: demo.MonthlyCap},
	})
	if err != nil {
		t.Fatalf("the dead call's hold still blocks the workspace: %v", err)
	}
	must(t, gate.Settle(ctx, sc.DynamoDB, res, budget.Outcome{}))
	after, err := gate.Read(ctx, sc.DynamoDB, d.Org, d.Workspace, now)
	must(t, err)
	if after.Reserved != 0 || after.Available != demo.MonthlyCap-after.Spent {
		t.Fatalf("cap not whole after reconciliation: %+v", after)
	}
}
