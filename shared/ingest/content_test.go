package ingest_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/ingest"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// TestContentDroppedByDefault: in a workspace that does not allow content,
// text sent with or without opting in is dropped and flagged, and no byte
// of it exists anywhere in the table or the log.
func TestContentDroppedByDefault(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	prompt, answer := "prompt-"+id.New(""), "answer-"+id.New("")
	content := map[string]any{
		"prompt":   []map[string]string{{"role": "user", "content": prompt}},
		"response": answer,
	}
	resp := e.batch(
		ev("drop-1", now, "store_content", true, "content", content),
		ev("drop-2", now, "content", content),
		ev("drop-3", now, "store_content", true),
		ev("drop-4", now),
	)
	wantFlags := [][]string{{ingest.FlagContentDropped}, {ingest.FlagContentDropped}, nil, nil}
	for i, r := range resp.Results {
		if r.Status != ingest.StatusAccepted || !slices.Equal(r.Flags, wantFlags[i]) {
			t.Fatalf("result %d: %+v, want accepted with %v", i, r, wantFlags[i])
		}
	}
	items := scanTable(t)
	for _, text := range []string{prompt, answer} {
		if containsAny(items, text) {
			t.Fatalf("%q found in the table", text)
		}
		if strings.Contains(logs.String(), text) {
			t.Fatalf("%q found in the log", text)
		}
	}
	for _, it := range items {
		if strings.Contains(it, e.org) && strings.Contains(it, "sealed_content") {
			t.Fatalf("sealed content stored in a workspace that does not allow it: %.200s", it)
		}
	}
	if n := redactMarkers(t, e); n != 0 {
		t.Fatalf("%d redaction markers", n)
	}
}

// TestContentSealedWhenAllowed: in a workspace that allows content, an
// opted-in event's text is stored only sealed, opens to what was sent, and
// is due for redaction after the workspace's window.
func TestContentSealedWhenAllowed(t *testing.T) {
	e := newEnv(t, withSettings(workspace.Settings{Name: "keep", StoreContentAllowed: true, RedactAfterDays: 3}))
	now := time.Now().UTC().Truncate(time.Second)
	prompt, answer := "prompt-"+id.New(""), "answer-"+id.New("")
	at := now.Add(-time.Hour)
	resp := e.batch(
		ev("keep-1", at, "store_content", true, "content", map[string]any{"prompt": prompt, "response": answer}),
		ev("keep-2", at, "content", map[string]any{"prompt": prompt}),                                              // not opted in
		ev("keep-3", now.Add(-4*24*time.Hour), "store_content", true, "content", map[string]any{"prompt": prompt}), // window already over
	)
	wantFlags := [][]string{nil, {ingest.FlagContentDropped}, {ingest.FlagContentDropped}}
	for i, r := range resp.Results {
		if r.Status != ingest.StatusAccepted || !slices.Equal(r.Flags, wantFlags[i]) {
			t.Fatalf("result %d: %+v, want accepted with %v", i, r, wantFlags[i])
		}
	}
	if items := scanTable(t); containsAny(items, prompt) || containsAny(items, answer) {
		t.Fatal("plain text found in the table")
	}

	item := e.traceItem("keep-1", at)
	sealed := item["sealed_content"].(*types.AttributeValueMemberS).Value
	if !strings.HasPrefix(sealed, "v1.") {
		t.Fatalf("sealed content %.20q", sealed)
	}
	if got, want := item["redact_at"].(*types.AttributeValueMemberN).Value, at.Add(3*24*time.Hour).Unix(); got != jsonInt(want) {
		t.Fatalf("redact_at %s, want %d", got, want)
	}
	env := secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN})
	plain, err := env.Open(context.Background(), secrets.Scope{Org: e.org, DynamoDB: e.scoped.DynamoDB, KMS: e.scoped.KMS},
		"trace-content", "keep-1", sealed)
	must(t, err)
	var doc struct{ Prompt, Response string }
	must(t, json.Unmarshal(plain, &doc))
	if doc.Prompt != prompt || doc.Response != answer {
		t.Fatalf("opened %+v", doc)
	}
	if _, ok := e.traceItem("keep-2", at)["sealed_content"]; ok {
		t.Fatal("content kept without opting in")
	}
	if n := redactMarkers(t, e); n != 1 {
		t.Fatalf("%d redaction markers, want 1", n)
	}
}

// traceItem reads a trace's stored item with the org's credentials.
func (e *env) traceItem(traceID string, at time.Time) map[string]types.AttributeValue {
	e.t.Helper()
	tr := &trace.Trace{ID: traceID, Org: e.org, Time: at}
	out, err := e.scoped.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(stack.TableName),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: tr.PK()}, "sk": &types.AttributeValueMemberS{Value: tr.SK()},
		},
	})
	must(e.t, err)
	if out.Item == nil {
		e.t.Fatalf("trace %s not stored", traceID)
	}
	return out.Item
}

// redactMarkers counts the org's pending redactions.
func redactMarkers(t *testing.T, e *env) int {
	t.Helper()
	out, err := e.scoped.DynamoDB.Query(context.Background(), &dynamodb.QueryInput{
		TableName:                 aws.String(stack.TableName),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "ORG#" + e.org + "#REDACT"}},
	})
	must(t, err)
	return len(out.Items)
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
