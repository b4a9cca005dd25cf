package main_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/lambdaruntime"
	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/retention"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

var (
	stack     *localstack.Stack
	bootstrap string // the real retention binary, built as `make build` builds it (host architecture)
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "retention-bootstrap-test"}, func(s *localstack.Stack) error {
		stack = s
		var err error
		bootstrap, err = lambdaruntime.Build(".")
		return err
	})
}

// TestBootstrapRunsAPassOnTheScheduledEvent runs the real retention
// bootstrap with its own role's credentials against a loopback Lambda
// Runtime API, invokes it with the EventBridge event of events/, and finds
// the demo org's expired traces gone and its due content redacted.
func TestBootstrapRunsAPassOnTheScheduledEvent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := demo.Seed(ctx, stack)
	must(t, err)
	sessions, err := stack.TenantSessions(ctx, "RetentionFunctionRole")
	must(t, err)
	sc, err := sessions.For(ctx, d.Org)
	must(t, err)
	now := time.Now().UTC()
	old := now.Add(-72 * time.Hour)
	store := trace.NewStore(stack.TableName, nil)
	for i, keep := range []time.Duration{24 * time.Hour, 24 * time.Hour, 30 * 24 * time.Hour} {
		tr := &trace.Trace{ID: id.New(id.Trace), Org: d.Org, Workspace: d.Workspace, Source: "ingest",
			Time: old.Add(time.Duration(i) * time.Second), Provider: "mock", Model: "mock-small", Status: trace.StatusOK,
			SealedContent: "v1.dk_00000000000000000000.c2VhbGVk", RedactAt: now.Add(-time.Hour).Unix()}
		_, err := store.Record(ctx, sc.DynamoDB, tr, keep)
		must(t, err)
	}

	env, err := stack.FunctionEnv(ctx, "retention", "RetentionFunctionRole")
	must(t, err)
	fn, err := lambdaruntime.Run(bootstrap, env)
	must(t, err)
	defer fn.Kill()
	logs := fn.Logs
	payload, err := os.ReadFile("../../events/retention-schedule.json")
	must(t, err)
	inv, err := fn.Invoke(ctx, payload)
	must(t, err)
	body, err := io.ReadAll(inv.Body)
	must(t, err)
	must(t, inv.Err())
	var rep retention.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("response %q: %v\n%s", body, err, logs.String())
	}
	if !rep.Complete || rep.Deleted != 2 || rep.Redacted != 3 || len(rep.Failed) != 0 {
		t.Fatalf("report %+v\n%s", rep, logs.String())
	}
	listed, _, err := store.List(ctx, sc.DynamoDB, d.Org, trace.Query{From: old.Add(-time.Minute), To: old.Add(time.Minute)})
	must(t, err)
	if len(listed) != 1 {
		t.Fatalf("%d traces listed, want the 30-day one", len(listed))
	}
	item, err := dynamodb.NewFromConfig(stack.OperatorConfig()).GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(stack.TableName), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: listed[0].PK()}, "sk": &types.AttributeValueMemberS{Value: listed[0].SK()}}})
	must(t, err)
	if _, ok := item.Item["sealed_content"]; ok || item.Item == nil {
		t.Fatalf("the kept trace should be there without its content: %v", item.Item)
	}
	for _, want := range []string{`"msg":"retention invoked"`, `"msg":"retention org done"`, d.Org} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
