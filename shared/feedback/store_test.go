package feedback_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/id"
)

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name    string
		traceID string
		value   float64
		code    string // "" when valid
	}{
		{"zero", "req_abc", 0, ""},
		{"one", "req_abc", 1, ""},
		{"middle", "req_abc", 0.8, ""},
		{"negative zero", "req_abc", math.Copysign(0, -1), ""},
		{"ingest id", "ev-1.a:b_C", 0.5, ""},
		{"64-char id", strings.Repeat("a", 64), 0.5, ""},
		{"below zero", "req_abc", -0.01, "invalid_feedback_score"},
		{"above one", "req_abc", 1.01, "invalid_feedback_score"},
		{"just above one", "req_abc", math.Nextafter(1, 2), "invalid_feedback_score"},
		{"just below zero", "req_abc", -math.SmallestNonzeroFloat64, "invalid_feedback_score"},
		{"NaN", "req_abc", math.NaN(), "invalid_feedback_score"},
		{"+Inf", "req_abc", math.Inf(1), "invalid_feedback_score"},
		{"-Inf", "req_abc", math.Inf(-1), "invalid_feedback_score"},
		{"empty id", "", 0.5, "invalid_trace_id"},
		{"65-char id", strings.Repeat("a", 65), 0.5, "invalid_trace_id"},
		{"id with space", "req abc", 0.5, "invalid_trace_id"},
		{"id with hash", "req#abc", 0.5, "invalid_trace_id"},
		{"id with slash", "a/b", 0.5, "invalid_trace_id"},
		{"non-ASCII id", "réq", 0.5, "invalid_trace_id"},
		{"credential-shaped id", "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd", 0.5, "invalid_trace_id"},
		{"bad id and score", "", math.NaN(), "invalid_trace_id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := feedback.Validate(c.traceID, c.value)
			if c.code == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var e *apperr.Error
			if !errors.As(err, &e) || e.Kind != apperr.Invalid || e.Code != c.code {
				t.Fatalf("want Invalid %s, got %v", c.code, err)
			}
		})
	}
}

func TestPutGetOverwrite(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := feedback.NewStore(stack.TableName, feedback.WithClock(clock))
	ws := id.New(id.Workspace)
	trace := id.New(id.Request)

	must(t, st.Put(ctx, sc.DynamoDB, org, feedback.Score{TraceID: trace, Workspace: ws, Value: 0.8, Source: feedback.SourceGateway}))
	got, err := st.Get(ctx, sc.DynamoDB, org, []string{trace, "req_absent"})
	must(t, err)
	want := feedback.Score{TraceID: trace, Workspace: ws, Value: 0.8, Source: feedback.SourceGateway, Time: now}
	if len(got) != 1 || got[trace] != want {
		t.Fatalf("got %+v, want only %+v", got, want)
	}

	// The same trace again: replaced, not added.
	now = now.Add(time.Minute)
	must(t, st.Put(ctx, sc.DynamoDB, org, feedback.Score{TraceID: trace, Workspace: ws, Value: 0, Source: feedback.SourceIngest}))
	got, err = st.Get(ctx, sc.DynamoDB, org, []string{trace})
	must(t, err)
	want = feedback.Score{TraceID: trace, Workspace: ws, Value: 0, Source: feedback.SourceIngest, Time: now}
	if got[trace] != want {
		t.Fatalf("after overwrite got %+v, want %+v", got[trace], want)
	}
	// A retried request changes nothing.
	must(t, st.Put(ctx, sc.DynamoDB, org, feedback.Score{TraceID: trace, Workspace: ws, Value: 0, Source: feedback.SourceIngest}))
	if items := rawItems(t, org, trace); len(items) != 1 {
		t.Fatalf("%d items for one trace", len(items))
	}

	empty, err := st.Get(ctx, sc.DynamoDB, org, nil)
	must(t, err)
	if len(empty) != 0 {
		t.Fatalf("no IDs gave %v", empty)
	}
}

func TestItemHoldsOnlyTheNumber(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	st := feedback.NewStore(stack.TableName)
	trace := id.New(id.Request)
	must(t, st.PutFor(ctx, sc.DynamoDB, org, feedback.Score{TraceID: trace, Workspace: "ws_x", Value: 0.25,
		Source: feedback.SourceGateway, Time: at}, 30*24*time.Hour))
	items := rawItems(t, org, trace)
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	it := items[0]
	var names []string
	for k := range it {
		names = append(names, k)
	}
	sort.Strings(names)
	if got := strings.Join(names, ","); got != "expires_at,gsi1pk,gsi1sk,pk,score,sk,source,time,trace_id,workspace" {
		t.Fatalf("attributes %s", got)
	}
	if v := it["expires_at"].(*types.AttributeValueMemberN).Value; v != fmt.Sprint(at.Add(30*24*time.Hour).Unix()) {
		t.Fatalf("expires_at %s", v)
	}
	if v := it["score"].(*types.AttributeValueMemberN).Value; v != "0.25" {
		t.Fatalf("score %s", v)
	}
	if v := it["gsi1pk"].(*types.AttributeValueMemberS).Value; v != "ORG#"+org+"#FB" {
		t.Fatalf("gsi1pk %s", v)
	}

	// Put with no retention keeps the documented fixed bound.
	trace2 := id.New(id.Request)
	must(t, st.Put(ctx, sc.DynamoDB, org, feedback.Score{TraceID: trace2, Workspace: "ws_x", Value: 1,
		Source: feedback.SourceGateway, Time: at}))
	if v := rawItems(t, org, trace2)[0]["expires_at"].(*types.AttributeValueMemberN).Value; v != fmt.Sprint(at.Add(feedback.DefaultRetention).Unix()) {
		t.Fatalf("default expires_at %s", v)
	}
}

func TestExpiredScoresAreHidden(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	now := t0
	st := feedback.NewStore(stack.TableName, feedback.WithClock(func() time.Time { return now }))
	trace := id.New(id.Request)
	must(t, st.PutFor(ctx, sc.DynamoDB, org, feedback.Score{TraceID: trace, Workspace: "ws_x", Value: 0.5, Source: feedback.SourceIngest}, time.Hour))
	now = t0.Add(59 * time.Minute)
	if got, err := st.Get(ctx, sc.DynamoDB, org, []string{trace}); err != nil || len(got) != 1 {
		t.Fatalf("a minute before expiry: %v %v", got, err)
	}
	now = t0.Add(61 * time.Minute)
	if got, err := st.Get(ctx, sc.DynamoDB, org, []string{trace}); err != nil || len(got) != 0 {
		t.Fatalf("a minute after expiry: %v %v", got, err)
	}
}

func TestPutRefusals(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := feedback.NewStore(stack.TableName)
	trace := id.New(id.Request)
	for _, c := range []struct {
		name string
		org  string
		sc   feedback.Score
		kind apperr.Kind
		code string
	}{
		{"score above one", org, feedback.Score{TraceID: trace, Workspace: "ws_a", Value: 1.01, Source: feedback.SourceGateway}, apperr.Invalid, "invalid_feedback_score"},
		{"NaN", org, feedback.Score{TraceID: trace, Workspace: "ws_a", Value: math.NaN(), Source: feedback.SourceGateway}, apperr.Invalid, "invalid_feedback_score"},
		{"bad trace ID", org, feedback.Score{TraceID: "a b", Workspace: "ws_a", Value: 0.5, Source: feedback.SourceGateway}, apperr.Invalid, "invalid_trace_id"},
		{"no workspace", org, feedback.Score{TraceID: trace, Value: 0.5, Source: feedback.SourceGateway}, apperr.Internal, "invalid_feedback"},
		{"unknown source", org, feedback.Score{TraceID: trace, Workspace: "ws_a", Value: 0.5, Source: "api"}, apperr.Internal, "invalid_feedback"},
		{"no org", "", feedback.Score{TraceID: trace, Workspace: "ws_a", Value: 0.5, Source: feedback.SourceGateway}, apperr.Internal, "invalid_feedback"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := st.Put(ctx, sc.DynamoDB, c.org, c.sc)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Kind != c.kind || e.Code != c.code {
				t.Fatalf("got %v, want %s %s", err, c.kind, c.code)
			}
		})
	}
	if items := rawItems(t, org, trace); len(items) != 0 {
		t.Fatalf("a refused score was written: %v", items)
	}
	if _, err := st.Get(ctx, sc.DynamoDB, org, []string{"ok", "not ok"}); apperr.As(err).Code != "invalid_trace_id" {
		t.Fatalf("Get with a bad ID: %v", err)
	}
}

func TestAnotherWorkspaceCannotOverwrite(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := feedback.NewStore(stack.TableName)
	trace := id.New(id.Request)
	must(t, st.Put(ctx, sc.DynamoDB, org, feedback.Score{TraceID: trace, Workspace: "ws_a", Value: 0.9, Source: feedback.SourceGateway}))
	err := st.Put(ctx, sc.DynamoDB, org, feedback.Score{TraceID: trace, Workspace: "ws_b", Value: 0.1, Source: feedback.SourceGateway})
	if e := apperr.As(err); e == nil || e.Kind != apperr.Conflict || e.Code != "feedback_conflict" {
		t.Fatalf("got %v, want Conflict feedback_conflict", err)
	}
	got, err := st.Get(ctx, sc.DynamoDB, org, []string{trace})
	must(t, err)
	if got[trace].Value != 0.9 || got[trace].Workspace != "ws_a" {
		t.Fatalf("overwritten: %+v", got[trace])
	}
}

func TestGetManyBatches(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := feedback.NewStore(stack.TableName)
	const n = 250
	scores := make([]feedback.Score, n)
	var ids []string
	for i := range scores {
		scores[i] = feedback.Score{TraceID: fmt.Sprintf("req_%04d", i), Workspace: "ws_a", Value: float64(i) / n, Source: feedback.SourceIngest}
		ids = append(ids, scores[i].TraceID)
	}
	for i, err := range st.PutAll(ctx, sc.DynamoDB, org, scores, 0) {
		if err != nil {
			t.Fatalf("score %d: %v", i, err)
		}
	}
	// Absent IDs and repeats across batch boundaries.
	ask := append(append([]string{}, ids...), "req_absent1", "req_absent2", ids[0], ids[150])
	got, err := st.Get(ctx, sc.DynamoDB, org, ask)
	must(t, err)
	if len(got) != n {
		t.Fatalf("got %d scores, want %d", len(got), n)
	}
	for i, s := range scores {
		if g := got[s.TraceID]; g.Value != s.Value || g.Workspace != "ws_a" {
			t.Fatalf("score %d: got %+v", i, g)
		}
	}
}

// unprocessing forwards to the real client, but for its first calls sends
// only half of each request's keys and reports the rest unprocessed, as
// DynamoDB does under throttling.
type unprocessing struct {
	feedback.DB
	mu    sync.Mutex
	left  int
	calls int
}

func (u *unprocessing) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	u.mu.Lock()
	u.calls++
	cut := u.left > 0
	u.left--
	u.mu.Unlock()
	if !cut {
		return u.DB.BatchGetItem(ctx, in, opts...)
	}
	sent := map[string]types.KeysAndAttributes{}
	held := map[string]types.KeysAndAttributes{}
	for table, ka := range in.RequestItems {
		half := len(ka.Keys) / 2
		if half == 0 {
			return &dynamodb.BatchGetItemOutput{UnprocessedKeys: in.RequestItems}, nil
		}
		s, h := ka, ka
		s.Keys, h.Keys = ka.Keys[:half], ka.Keys[half:]
		sent[table], held[table] = s, h
	}
	out, err := u.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: sent}, opts...)
	if err != nil {
		return nil, err
	}
	out.UnprocessedKeys = held
	return out, nil
}

func TestUnprocessedKeysAreRetried(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := feedback.NewStore(stack.TableName)
	var scores []feedback.Score
	var ids []string
	for i := 0; i < 120; i++ {
		scores = append(scores, feedback.Score{TraceID: fmt.Sprintf("req_u%03d", i), Workspace: "ws_a", Value: 0.5, Source: feedback.SourceGateway})
		ids = append(ids, scores[i].TraceID)
	}
	for _, err := range st.PutAll(ctx, sc.DynamoDB, org, scores, 0) {
		must(t, err)
	}
	waits := feedback.RecordWaits(st)
	db := &unprocessing{DB: sc.DynamoDB, left: 3}
	got, err := st.Get(ctx, db, org, ids)
	must(t, err)
	if len(got) != len(ids) {
		t.Fatalf("got %d of %d", len(got), len(ids))
	}
	// Batch one (100 keys) is cut three times: 50, 25, 13 keys held back,
	// resent after growing waits; batch two (20 keys) goes through.
	if db.calls != 5 {
		t.Fatalf("%d BatchGetItem calls, want 5", db.calls)
	}
	if w := *waits; len(w) != 3 || !(w[0] < w[1] && w[1] < w[2]) {
		t.Fatalf("backoff waits %v, want three growing ones", w)
	}

	// Keys that stay unprocessed end in a typed Unavailable, not a hang.
	*waits = nil
	stuck := &unprocessing{DB: sc.DynamoDB, left: 1 << 30}
	_, err = st.Get(ctx, stuck, org, ids[:2])
	if e := apperr.As(err); e == nil || e.Kind != apperr.Unavailable || e.Code != "feedback_store_unavailable" {
		t.Fatalf("stuck keys: %v", err)
	}
	if len(*waits) != 9 {
		t.Fatalf("%d waits before giving up", len(*waits))
	}
}

func isAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
}

// TestIsolationAcrossOrgs: org B's scoped session cannot read, write or
// list org A's feedback, through the store or by hand; org B's own reads
// of the same trace IDs find nothing.
func TestIsolationAcrossOrgs(t *testing.T) {
	ctx := context.Background()
	orgA, a := newOrg(t)
	orgB, b := newOrg(t)
	st := feedback.NewStore(stack.TableName)
	trace := id.New(id.Request)
	must(t, st.Put(ctx, a.DynamoDB, orgA, feedback.Score{TraceID: trace, Workspace: "ws_a", Value: 0.7, Source: feedback.SourceGateway}))

	_, err := st.Get(ctx, b.DynamoDB, orgA, []string{trace})
	if !isAccessDenied(err) || apperr.As(err).Kind != apperr.Unavailable {
		t.Fatalf("org B reading org A's feedback: got %v, want AccessDenied as Unavailable", err)
	}
	err = st.Put(ctx, b.DynamoDB, orgA, feedback.Score{TraceID: trace, Workspace: "ws_a", Value: 0.1, Source: feedback.SourceGateway})
	if !isAccessDenied(err) {
		t.Fatalf("org B writing org A's feedback: got %v, want AccessDenied", err)
	}
	_, err = b.DynamoDB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(stack.TableName), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "ORG#" + orgA + "#FB"}}})
	if !isAccessDenied(err) {
		t.Fatalf("org B listing org A's feedback on gsi1: got %v, want AccessDenied", err)
	}
	// A mixed batch (own and foreign keys) is refused whole.
	_, err = b.DynamoDB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
		stack.TableName: {Keys: []map[string]types.AttributeValue{
			{"pk": &types.AttributeValueMemberS{Value: "ORG#" + orgB + "#FB#" + trace}, "sk": &types.AttributeValueMemberS{Value: "FB"}},
			{"pk": &types.AttributeValueMemberS{Value: "ORG#" + orgA + "#FB#" + trace}, "sk": &types.AttributeValueMemberS{Value: "FB"}},
		}}}})
	if !isAccessDenied(err) {
		t.Fatalf("org B's mixed batch: got %v, want AccessDenied", err)
	}
	got, err := st.Get(ctx, b.DynamoDB, orgB, []string{trace})
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("org B sees %v", got)
	}
	// Org A's feedback is untouched, and A may list its own on gsi1.
	gotA, err := st.Get(ctx, a.DynamoDB, orgA, []string{trace})
	must(t, err)
	if gotA[trace].Value != 0.7 {
		t.Fatalf("org A's feedback changed: %+v", gotA)
	}
	out, err := a.DynamoDB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(stack.TableName), IndexName: aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "ORG#" + orgA + "#FB"}}})
	must(t, err)
	if len(out.Items) != 1 {
		t.Fatalf("org A lists %d feedback items", len(out.Items))
	}
}

// rawItems reads a trace's feedback partition around the enforcing
// endpoint, as it is stored.
func rawItems(t *testing.T, org, trace string) []map[string]types.AttributeValue {
	t.Helper()
	db := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig())
	out, err := db.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(stack.TableName),
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "ORG#" + org + "#FB#" + trace}},
		ConsistentRead:            aws.Bool(true)})
	must(t, err)
	return out.Items
}
