package main_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/lambdaruntime"
	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/drift"
)

var (
	stack     *localstack.Stack
	bootstrap string // the real drift binary, built as `make build` builds it (host architecture)
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "drift-bootstrap-test"}, func(s *localstack.Stack) error {
		stack = s
		var err error
		bootstrap, err = lambdaruntime.Build(".")
		return err
	})
}

// TestBootstrapRunsAPassOnTheScheduledEvent runs the real drift bootstrap
// with its own role's credentials against a loopback Lambda Runtime API,
// invokes it with the EventBridge event of events/, and finds the pass
// complete over the demo org, drift and verification both run, and
// running it again idempotent.
func TestBootstrapRunsAPassOnTheScheduledEvent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := demo.Seed(ctx, stack)
	if err != nil {
		t.Fatal(err)
	}
	env, err := stack.FunctionEnv(ctx, "drift", "DriftFunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	fn, err := lambdaruntime.Run(bootstrap, env)
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Kill()
	payload, err := os.ReadFile("../../events/drift-schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	for pass := 1; pass <= 2; pass++ {
		inv, err := fn.Invoke(ctx, payload)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(inv.Body)
		if err != nil {
			t.Fatal(err)
		}
		if err := inv.Err(); err != nil {
			t.Fatalf("pass %d: %v\n%s", pass, err, fn.Logs.String())
		}
		var rep drift.Report
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatalf("response %q: %v\n%s", body, err, fn.Logs.String())
		}
		if !rep.Done || rep.Orgs < 1 || len(rep.Failed) != 0 || rep.Flags != 0 {
			t.Fatalf("pass %d: report %+v\n%s", pass, rep, fn.Logs.String())
		}
	}
	for _, want := range []string{`"msg":"drift invoked"`, `"msg":"drift org done"`, d.Org} {
		if !strings.Contains(fn.Logs.String(), want) {
			t.Fatalf("log lacks %s:\n%s", want, fn.Logs.String())
		}
	}
}
