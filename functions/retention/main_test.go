package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

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
		dir, err := os.MkdirTemp("", "retention-bootstrap-")
		if err != nil {
			return err
		}
		bootstrap = filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bootstrap, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build bootstrap: %v: %s", err, out)
		}
		return nil
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

	rt, logs, kill := startFunction(t, ctx)
	defer kill()
	payload, err := os.ReadFile("../../events/retention-schedule.json")
	must(t, err)
	inv, err := rt.Invoke(ctx, payload)
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

// startFunction runs the retention bootstrap as Lambda would, with
// RetentionFunctionRole's credentials, against a fresh loopback Runtime API.
func startFunction(t *testing.T, ctx context.Context) (*lambdaruntime.Server, *syncBuffer, func()) {
	t.Helper()
	rt, err := lambdaruntime.Start()
	must(t, err)
	arn, err := stack.RoleARN("RetentionFunctionRole")
	must(t, err)
	out, err := sts.NewFromConfig(stack.OperatorConfig()).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(arn), RoleSessionName: aws.String("bootstrap-test")})
	must(t, err)
	cmd := exec.Command(bootstrap)
	cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + rt.Addr(), "_HANDLER=bootstrap", "AWS_LAMBDA_FUNCTION_NAME=retention",
		"AWS_REGION=" + localstack.Region, "AWS_ENDPOINT_URL=" + stack.Endpoint,
		"AWS_ACCESS_KEY_ID=" + *out.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + *out.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + *out.Credentials.SessionToken,
		"TOLLGATE_TABLE=" + stack.TableName, "TOLLGATE_TENANT_ROLE_ARN=" + stack.TenantRoleARN,
	}
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	must(t, cmd.Start())
	return rt, logs, func() {
		cmd.Process.Kill()
		cmd.Wait()
		rt.Close()
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// syncBuffer collects the function's output, written by exec's copier
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
