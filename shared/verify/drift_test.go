package verify_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/drift"
)

// register adds org to the org registry the drift job walks, as org
// creation does, until the test ends.
func register(t *testing.T, org string) {
	t.Helper()
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	key := map[string]types.AttributeValue{"pk": s("REGISTRY"), "sk": s("ORG#" + org)}
	item := map[string]types.AttributeValue{"pk": key["pk"], "sk": key["sk"], "org": s(org)}
	if _, err := operator.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(stack.TableName), Item: item}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = operator.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(stack.TableName), Key: key})
	})
}

// driftJob is the drift job as the function would build it, with the
// verifier as its second per-org step, on e's clock.
func driftJob(t *testing.T, e *env) *drift.Job {
	t.Helper()
	job, err := drift.New(drift.Config{
		Table: stack.TableName, Registry: dynamodb.NewFromConfig(fnConfig), Tenants: sessions,
		Traces: e.traces, Feedback: e.fb, Clock: e.clk.Now, Slice: 24 * time.Hour, Also: e.v.Step,
	})
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// runToEnd runs job until its pass completes; no org may fail.
func runToEnd(t *testing.T, job *drift.Job, e *env) {
	t.Helper()
	for i := 1; i <= 100; i++ {
		rep, err := job.Run(e.ctx)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if len(rep.Failed) > 0 {
			t.Fatalf("run %d failed orgs %v\n%s", i, rep.Failed, e.logs.String())
		}
		if rep.Done {
			return
		}
	}
	t.Fatal("the drift pass never completed")
}
