package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/gateway"
	"github.com/tollgate-dev/tollgate/shared/logging"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
)

// TestRunFromDatasetToResults walks the README's evaluation: upload a
// dataset, start a run, two workers score it; every item is scored once
// with one call per model, the cheaper model scores visibly lower, the
// run's spend is the sum of its items' costs, and no item or answer text
// is anywhere in the table or in any log line.
func TestRunFromDatasetToResults(t *testing.T) {
	e := newEnv(t)
	const n = 24
	ds := e.dataset("ZEBRA7", n)
	r := e.start(spec(ds, 1_000_000_000, ""))
	e.startWorker()
	e.startWorker()
	r = e.wait(r.ID, time.Minute)
	if r.State != "completed" || r.Scored != n || r.Errored != 0 || r.DeadLettered != 0 {
		t.Fatalf("run %+v\n%s", r, e.workerLogs())
	}
	if got := e.up.calls.Load(); got != 2*n {
		t.Fatalf("the upstream got %d calls for %d items and two models", got, n)
	}
	res := e.results(r.ID)
	var sum int64
	seen := map[int64]bool{}
	for _, it := range res.Items {
		if seen[it.Index] {
			t.Fatalf("item %d recorded twice", it.Index)
		}
		seen[it.Index] = true
		sum += it.CostNano
	}
	if len(res.Items) != n || sum != r.LiveSpentNano || sum != r.SpentNano || r.InFlightNano != 0 || sum == 0 {
		t.Fatalf("%d items costing %d; run spent %d (recorded %d, in flight %d)", len(res.Items), sum, r.LiveSpentNano, r.SpentNano, r.InFlightNano)
	}
	if !(res.Summary.MeanBaseline > res.Summary.MeanCandidate+0.15) {
		t.Fatalf("gpt-4o %.2f vs gpt-4o-mini %.2f: the cheaper model should score lower", res.Summary.MeanBaseline, res.Summary.MeanCandidate)
	}
	if len(r.History) != 3 || r.History[1].To != "running" || r.History[2].To != "completed" {
		t.Fatalf("transitions %+v", r.History)
	}
	assertNoText(t, e, "ZEBRA7", "which code opens", "CODE-ZEBRA7", "Here is a short answer", "built-in mock provider")
}

// assertNoText scans every item of the table, read past the enforcing
// endpoint, and every log line of the API and the workers for the given
// fragments of item and answer text.
func assertNoText(t *testing.T, e *env, fragments ...string) {
	t.Helper()
	db := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig())
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(stack.TableName)})
	items := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			items++
			raw, _ := json.Marshal(it)
			for _, f := range fragments {
				if strings.Contains(string(raw), f) {
					t.Fatalf("table item holds %q in clear: %.300s", f, raw)
				}
			}
		}
	}
	logs := e.apiLogs.String() + e.workerLogs()
	if items == 0 || !strings.Contains(logs, "evaluation chunk done") {
		t.Fatalf("nothing scanned: %d items, logs %q", items, logs)
	}
	for _, f := range fragments {
		if strings.Contains(logs, f) {
			t.Fatalf("a log line holds %q", f)
		}
	}
}

// A run whose worst case exceeds its cap, or what is left of the
// workspace's monthly evaluation budget, is refused with the estimate
// before anything is queued or any provider is called.
func TestEstimateOverCapIsRefusedBeforeAnyCall(t *testing.T) {
	e := newEnv(t)
	ds := e.dataset("OKAPI3", 10)
	e.startWorker()
	status, body := e.do("POST", "/evals", spec(ds, 1_000, ""))
	if status != 400 || !strings.Contains(body, `"code":"estimate_exceeds_cap"`) || !strings.Contains(body, `"total_nano"`) {
		t.Fatalf("over its cap: %d %s", status, body)
	}
	var refusal struct {
		Estimate struct {
			Calls     int64 `json:"calls"`
			TotalNano int64 `json:"total_nano"`
		} `json:"estimate"`
	}
	if err := json.Unmarshal([]byte(body), &refusal); err != nil || refusal.Estimate.Calls != 20 || refusal.Estimate.TotalNano <= 1_000 {
		t.Fatalf("estimate %+v %v", refusal, err)
	}
	e.must(200, "PATCH", "/budget", `{"eval_monthly_cap_nano":5000}`)
	status, body = e.do("POST", "/evals", spec(ds, 1_000_000_000, ""))
	if status != 400 || !strings.Contains(body, `"code":"eval_budget_insufficient"`) {
		t.Fatalf("over the eval budget: %d %s", status, body)
	}
	e.must(200, "PATCH", "/budget", `{"eval_monthly_cap_nano":0}`)
	dry := e.must(200, "POST", "/evals", spec(ds, 1_000_000_000, `,"dry_run":true`))
	if !strings.Contains(dry, `"estimate"`) {
		t.Fatalf("dry run: %s", dry)
	}
	if list := strings.TrimSpace(e.must(200, "GET", "/evals", "")); list != `{"data":[]}` {
		t.Fatalf("refused runs were created: %s", list)
	}
	time.Sleep(2 * time.Second) // a queued chunk would have reached the worker by now
	if got := e.up.calls.Load(); got != 0 {
		t.Fatalf("the upstream was called %d times", got)
	}
	if n := queued(t, stack.EvalQueueURL); n != 0 {
		t.Fatalf("%d messages queued", n)
	}
}

func queued(t *testing.T, q string) int {
	t.Helper()
	out, err := sqs.NewFromConfig(stack.OperatorConfig()).GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(q), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, v := range out.Attributes {
		var k int
		fmt.Sscan(v, &k)
		n += k
	}
	return n
}

// The org's kill switch, flipped while a call is under way, lets each
// worker finish at most the one call it is making; then nothing more
// reaches the provider and the run is cancelled with the reason.
func TestKillSwitchStopsWithinOneCallPerWorker(t *testing.T) {
	e := newEnv(t)
	ds := e.dataset("KOALA5", 40)
	const flipAt = 9
	var flipped atomic.Bool
	e.up.setHook(func(n int64, _ string) int {
		if n == flipAt {
			e.must(200, "PUT", "/api/v1/org/eval-kill-switch", `{"on":true}`)
			flipped.Store(true)
		}
		return 0
	})
	r := e.start(spec(ds, 1_000_000_000, ""))
	workers := 2
	for i := 0; i < workers; i++ {
		e.startWorker()
	}
	r = e.wait(r.ID, time.Minute)
	if !flipped.Load() || r.State != "cancelled" || !strings.Contains(r.History[len(r.History)-1].Reason, "kill switch") {
		t.Fatalf("run %+v", r)
	}
	after := e.up.calls.Load() - flipAt
	if after > int64(workers) {
		t.Fatalf("%d calls after the switch with %d workers", after, workers)
	}
	// Then nothing: the chunks still queued are consumed without a call.
	deadline := time.Now().Add(20 * time.Second)
	for queued(t, stack.EvalQueueURL) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if n := queued(t, stack.EvalQueueURL); n != 0 {
		t.Fatalf("%d chunks never consumed", n)
	}
	if got := e.up.calls.Load() - flipAt; got != after {
		t.Fatalf("calls went on after the run stopped: %d then %d", after, got)
	}
	// The spend of every call made is on the run, item by item.
	r = e.get(r.ID)
	var sum int64
	for _, it := range e.results(r.ID).Items {
		sum += it.CostNano
	}
	if sum != r.LiveSpentNano || r.InFlightNano != 0 {
		t.Fatalf("items cost %d, run spent %d (in flight %d)", sum, r.LiveSpentNano, r.InFlightNano)
	}
	e.must(200, "PUT", "/api/v1/org/eval-kill-switch", `{"on":false}`)
}

// Every chunk is delivered twice, to two workers at once, and one worker
// is killed while a provider call of its chunk is under way: each item is
// still scored exactly once, the run's spend is exactly the sum of its
// items' costs, and the run completes.
func TestRedeliveryAndACrashedWorkerScoreEachItemOnce(t *testing.T) {
	e := newEnv(t)
	const n = 20
	ds := e.dataset("LLAMA9", n)
	r := e.start(spec(ds, 1_000_000_000, ""))
	duplicate(t, 2)

	const blockAt = 5
	release := make(chan struct{})
	e.up.setHook(func(k int64, _ string) int {
		if k == blockAt {
			<-release // the call hangs until its worker is dead
		}
		return 0
	})
	victim := e.startWorker()
	deadline := time.Now().Add(30 * time.Second)
	for e.up.calls.Load() < blockAt {
		if time.Now().After(deadline) {
			t.Fatalf("the victim never reached call %d\n%s", blockAt, e.workerLogs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	victim.stop()
	close(release)
	e.startWorker()
	e.startWorker()
	r = e.wait(r.ID, 90*time.Second)
	if r.State != "completed" || r.Scored != n || r.DeadLettered != 0 {
		t.Fatalf("run %+v\n%s", r, e.workerLogs())
	}
	res := e.results(r.ID)
	seen := map[int64]bool{}
	var sum int64
	for _, it := range res.Items {
		if seen[it.Index] {
			t.Fatalf("item %d scored twice", it.Index)
		}
		seen[it.Index] = true
		sum += it.CostNano
	}
	if len(seen) != n || sum != r.LiveSpentNano || sum != r.SpentNano {
		t.Fatalf("%d items costing %d; the run spent %d (recorded %d)", len(seen), sum, r.LiveSpentNano, r.SpentNano)
	}
	// Only the killed call was made twice: the crashed worker's other
	// answers were reused, and no duplicate delivery called again.
	if got := e.up.calls.Load(); got > 2*n+1 {
		t.Fatalf("%d upstream calls for %d items", got, n)
	}
	// The killed call's hold is released when its reservation expires.
	if r.InFlightNano <= 0 {
		t.Fatalf("the killed call's reservation should still be held: %+v", r)
	}
}

// duplicate re-sends every queued chunk so each is delivered `times`
// times.
func duplicate(t *testing.T, times int) {
	t.Helper()
	ctx := context.Background()
	c := sqs.NewFromConfig(stack.OperatorConfig())
	var bodies []string
	for {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(stack.EvalQueueURL), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 1, VisibilityTimeout: 30})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(stack.EvalQueueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(bodies) == 0 {
		t.Fatal("no chunks queued")
	}
	for i := 0; i < times; i++ {
		for _, b := range bodies {
			if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(stack.EvalQueueURL), MessageBody: aws.String(b)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// An item the provider always fails on is retried with its message, then
// recorded dead-lettered on the message's last receive; the message lands
// in the dead-letter queue, the run completes and says so, and every other
// item is scored normally.
func TestPoisonItemsLandInTheDLQAndTheRunReportsThem(t *testing.T) {
	e := newEnv(t)
	const n = 10
	ds := e.dataset("IBEX4", n, 6)
	e.up.setHook(func(_ int64, body string) int {
		if strings.Contains(body, "POISON") {
			return 500
		}
		return 0
	})
	r := e.start(spec(ds, 1_000_000_000, ""))
	e.startWorker()
	e.startWorker()
	r = e.wait(r.ID, 2*time.Minute)
	if r.State != "completed" || r.Scored != n-1 || r.DeadLettered != 1 ||
		!strings.Contains(r.History[len(r.History)-1].Reason, "1 dead-lettered") {
		t.Fatalf("run %+v\n%s", r, e.workerLogs())
	}
	res := e.results(r.ID)
	if res.Summary.DeadLettered != 1 || res.Summary.Scored != n-1 {
		t.Fatalf("summary %+v", res.Summary)
	}
	for _, it := range res.Items {
		if it.Dead != (it.Index == 6) {
			t.Fatalf("item %d: dead %v (%s)", it.Index, it.Dead, it.Error)
		}
	}
	// The chunk moves to the dead-letter queue on its next receive.
	deadline := time.Now().Add(20 * time.Second)
	for queued(t, stack.EvalDLQURL) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing in the dead-letter queue\n%s", e.workerLogs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	out, err := sqs.NewFromConfig(stack.OperatorConfig()).ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(stack.EvalDLQURL), MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 1 || !strings.Contains(aws.ToString(out.Messages[0].Body), r.ID) ||
		!strings.Contains(aws.ToString(out.Messages[0].Body), `"i":6`) {
		t.Fatalf("dead-letter queue: %+v %v", out.Messages, err)
	}
	assertNoText(t, e, "IBEX4", "which code opens", "POISON")
}

// The pre-flight estimate bounds baseline and candidate calls exactly but
// judge prompts only by assumption (an output token is taken as at most
// four bytes), so the gate must stop a run at its cap on its own. This run
// is started with a cap below its worst case, as an estimate that proved
// low would leave it: it stops mid-way, aborted_by_cap, with its spend at
// or under the cap and every paid call accounted to an item.
func TestRunReachingItsCapMidwayStopsWithinIt(t *testing.T) {
	e := newEnv(t)
	const n = 20
	ds := e.dataset("BISON2", n)
	sessions, err := stack.TenantSessions(context.Background(), "ApiFunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := sessions.For(context.Background(), e.d.Org)
	if err != nil {
		t.Fatal(err)
	}
	const capNano = 2_000_000 // about two items' worst case, a handful of items' actual cost
	runs := evalrun.New(stack.TableName, nil)
	ctx := context.Background()
	r0, err := runs.Create(ctx, sc.DynamoDB, evalrun.Run{Org: e.d.Org, Workspace: e.d.Workspace, Baseline: "loop/gpt-4o",
		Candidate: "loop/gpt-4o-mini", Source: "dataset:" + ds, Scorer: "normalized", ScorerConfig: `{"type":"normalized"}`,
		MaxOutputTokens: 64, Items: n, CapNano: capNano, EstimateNano: capNano})
	if err != nil {
		t.Fatal(err)
	}
	if err := runs.Move(ctx, sc.DynamoDB, e.d.Org, r0.ID, evalrun.Pending, evalrun.Running, "test"); err != nil {
		t.Fatal(err)
	}
	refs := make([]string, n)
	for i := range refs {
		refs[i] = fmt.Sprint(i)
	}
	c := sqs.NewFromConfig(stack.OperatorConfig())
	for _, m := range evalwork.Chunks(e.d.Org, e.d.Workspace, r0.ID, refs) {
		b, _ := json.Marshal(m)
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(stack.EvalQueueURL), MessageBody: aws.String(string(b))}); err != nil {
			t.Fatal(err)
		}
	}
	e.startWorker()
	e.startWorker()
	r := e.wait(r0.ID, time.Minute)
	if r.State != "aborted_by_cap" || r.Scored == 0 || r.Scored >= n {
		t.Fatalf("run %+v\n%s", r, e.workerLogs())
	}
	deadline := time.Now().Add(20 * time.Second)
	for queued(t, stack.EvalQueueURL) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	r = e.get(r.ID)
	var sum int64
	for _, it := range e.results(r.ID).Items {
		sum += it.CostNano
	}
	if r.LiveSpentNano > capNano || r.InFlightNano != 0 || sum != r.LiveSpentNano || queued(t, stack.EvalQueueURL) != 0 {
		t.Fatalf("cap %d: spent %d, in flight %d, items cost %d\n%s", capNano, r.LiveSpentNano, r.InFlightNano, sum, e.workerLogs())
	}
}

// A pairwise judge run: both orders are asked for every item, on the
// workspace's own key, and the stronger model wins the comparison.
func TestPairwiseJudgeRun(t *testing.T) {
	e := newEnv(t)
	const n = 8
	ds := e.dataset("GECKO6", n)
	r := e.start(fmt.Sprintf(`{"baseline":"loop/gpt-4o","candidate":"loop/gpt-4o-mini","source":"dataset:%s",`+
		`"scorer":{"type":"judge","mode":"pairwise","rubric":"Is the code right?","judge_model":"loop/gpt-4.1"},`+
		`"max_output_tokens":64,"cap_nano":1000000000}`, ds))
	e.startWorker()
	r = e.wait(r.ID, time.Minute)
	if r.State != "completed" || r.Scored != n {
		t.Fatalf("run %+v\n%s", r, e.workerLogs())
	}
	if got := e.up.calls.Load(); got != 4*n {
		t.Fatalf("%d upstream calls for %d items (baseline, candidate, two judge orders)", got, n)
	}
	res := e.results(r.ID)
	if !(res.Summary.MeanBaseline > res.Summary.MeanCandidate) {
		t.Fatalf("pairwise preference %+v", res.Summary)
	}
}

// Live traffic as a source: alias calls through the gateway are sampled
// (shadow) and, opted in, kept as trace content. A shadow run compares a
// candidate with the answers the alias actually gave ("live" baseline, no
// baseline calls), and deletes each sample once scored; a traces run asks
// both models again. The client's answers are the provider's, untouched.
func TestShadowAndTraceSources(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	role, err := stack.RoleConfig(ctx, "GatewayFunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.Assemble(role, gateway.Settings{Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN,
		KMSKeyARN: stack.KeyARN, AllowLoopback: []string{e.up.host()}, SettingsTTL: time.Nanosecond}, logging.New(e.apiLogs, slog.LevelDebug))
	if err != nil {
		t.Fatal(err)
	}
	gwSrv := httptest.NewServer(gw)
	defer gwSrv.Close()
	e.must(200, "PUT", "/aliases/support", `{"targets":["loop/gpt-4o"]}`)
	e.must(200, "PATCH", "/retention", `{"store_content_allowed":true,"shadow_sample_pct":100}`)
	const n = 6
	for i := 0; i < n; i++ {
		body := fmt.Sprintf(`{"model":"support","messages":[{"role":"user","content":"WOMBAT8 ticket %d: which code? Answer: CODE-WOMBAT8-%d"}],"metadata":{"store_content":"true"}}`, i, i)
		req, _ := http.NewRequest("POST", gwSrv.URL+"/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.d.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := mockAnswer(t, "gpt-4o", 0.95, fmt.Sprintf("WOMBAT8 ticket %d: which code? Answer: CODE-WOMBAT8-%d", i, i))
		if res.StatusCode != 200 || !strings.Contains(string(got), want) {
			t.Fatalf("call %d: %d %s (want the provider's %q)", i, res.StatusCode, got, want)
		}
	}
	calls := e.up.calls.Load()
	e.startWorker()

	r := e.start(`{"baseline":"live","candidate":"loop/gpt-4o-mini","source":"shadow:support","scorer":{"type":"normalized"},"max_output_tokens":64,"cap_nano":1000000000}`)
	r = e.wait(r.ID, time.Minute)
	if r.State != "completed" || r.Scored != n {
		t.Fatalf("shadow run %+v\n%s", r, e.workerLogs())
	}
	if got := e.up.calls.Load() - calls; got != n {
		t.Fatalf("a shadow run called the upstream %d times for %d samples: only the candidate is asked", got, n)
	}
	if list := e.must(200, "GET", "/evals/"+r.ID+"/results", ""); !strings.Contains(list, `"baseline_cost_nano":0`) {
		t.Fatalf("the live baseline costs nothing: %s", list)
	}
	status, body := e.do("POST", "/evals", `{"baseline":"live","candidate":"loop/gpt-4o-mini","source":"shadow:support","scorer":{"type":"normalized"},"cap_nano":1000000000}`)
	if status != 400 || !strings.Contains(body, "source_empty") {
		t.Fatalf("the scored samples are gone: %d %s", status, body)
	}

	calls = e.up.calls.Load()
	r = e.start(`{"baseline":"loop/gpt-4o","candidate":"loop/gpt-4o-mini","source":"traces:support","scorer":{"type":"normalized"},"max_output_tokens":64,"cap_nano":1000000000}`)
	r = e.wait(r.ID, time.Minute)
	if r.State != "completed" || r.Scored != n || e.up.calls.Load()-calls != 2*n {
		t.Fatalf("traces run %+v, %d calls\n%s", r, e.up.calls.Load()-calls, e.workerLogs())
	}
	assertNoText(t, e, "WOMBAT8", "which code?")
}

// mockAnswer is what the mock upstream answers model for one user turn.
func mockAnswer(t *testing.T, model string, quality float64, user string) string {
	t.Helper()
	m, err := mock.New(mock.Options{Models: map[string]mock.Model{model: {Quality: quality}}})
	if err != nil {
		t.Fatal(err)
	}
	return m.Answer(model, []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent(user)}})
}
