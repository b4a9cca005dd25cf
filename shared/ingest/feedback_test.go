package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/ingest"
	"github.com/tollgate-dev/tollgate/shared/logging"
)

// scores reads the env's org's feedback with its scoped session.
func (e *env) scores(ids ...string) map[string]feedback.Score {
	e.t.Helper()
	got, err := feedback.NewStore(stack.TableName).Get(context.Background(), e.scoped.DynamoDB, e.org, ids)
	must(e.t, err)
	return got
}

type ingestErr struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    string  `json:"code"`
	} `json:"error"`
}

func decodeIngestErr(t *testing.T, body []byte) (code, param, msg string) {
	t.Helper()
	var e ingestErr
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not an error body: %s", body)
	}
	if e.Error.Param != nil {
		param = *e.Error.Param
	}
	return e.Error.Code, param, e.Error.Message
}

// feedbackBody renders entries as a POST /v1/traces/feedback body.
func feedbackBody(t testing.TB, entries ...any) *bytes.Reader {
	b, err := json.Marshal(map[string]any{"feedback": entries})
	must(t, err)
	return bytes.NewReader(b)
}

func entry(traceID string, score any) map[string]any {
	return map[string]any{"trace_id": traceID, "score": score}
}

// TestEventFeedbackScore: an event's optional feedback_score is validated
// like its other fields and recorded for its id once the event is stored;
// a rejected event records none.
func TestEventFeedbackScore(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	resp := e.batch(
		ev("fb-1", now, "feedback_score", 0.8),
		ev("fb-2", now),
		ev("fb-3", now, "feedback_score", 1.01),
		ev("fb-4", now, "feedback_score", -0.01),
		ev("fb-5", now, "feedback_score", "0.5"),
		ev("fb-6", now, "feedback_score", 0),
		ev("fb-7", now, "feedback_score", 0.5, "tokens_in", -1), // rejected for another field
		json.RawMessage(`{"id":"fb-8","time":"`+now.Format(time.RFC3339Nano)+`","provider":"openai","model":"m","feedback_score":1e400}`),
	)
	want := []struct{ status, code string }{
		{ingest.StatusAccepted, ""}, {ingest.StatusAccepted, ""},
		{ingest.StatusRejected, "invalid_feedback_score"}, {ingest.StatusRejected, "invalid_feedback_score"},
		{ingest.StatusRejected, "invalid_feedback_score"}, {ingest.StatusAccepted, ""},
		{ingest.StatusRejected, "out_of_range"}, {ingest.StatusRejected, "invalid_feedback_score"},
	}
	for i, w := range want {
		if r := resp.Results[i]; r.Status != w.status || r.Code != w.code {
			t.Fatalf("event %d: %+v, want %s %s", i, r, w.status, w.code)
		}
	}
	got := e.scores("fb-1", "fb-2", "fb-3", "fb-4", "fb-5", "fb-6", "fb-7", "fb-8")
	if len(got) != 2 || got["fb-1"].Value != 0.8 || got["fb-6"].Value != 0 ||
		got["fb-1"].Source != feedback.SourceIngest || got["fb-1"].Workspace != e.ws {
		t.Fatalf("stored %+v", got)
	}
	traces := byID(t, e.list(now.Add(-time.Hour), now.Add(time.Hour)))
	for _, id := range []string{"fb-3", "fb-4", "fb-5", "fb-7", "fb-8"} {
		if _, ok := traces[id]; ok {
			t.Fatalf("rejected event %s stored", id)
		}
	}

	// The event sent again (a retry): a duplicate trace, its feedback
	// written again, so a retried batch converges.
	resp = e.batch(ev("fb-1", now, "feedback_score", 0.3))
	if resp.Duplicates != 1 {
		t.Fatalf("retry: %+v", resp)
	}
	if got := e.scores("fb-1")["fb-1"]; got.Value != 0.3 {
		t.Fatalf("after retry %+v", got)
	}
}

// TestRejectedBatchWritesNoFeedback: a batch refused as a whole writes no
// feedback at all.
func TestRejectedBatchWritesNoFeedback(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	var events []any
	for i := range ingest.MaxBatchEvents + 1 {
		events = append(events, ev(fmt.Sprintf("big-%d", i), now, "feedback_score", 0.5))
	}
	b, _ := json.Marshal(map[string]any{"events": events})
	status, body := e.post("/v1/traces", bytes.NewReader(b))
	if code, _, _ := decodeIngestErr(t, body); status != 413 || code != "too_many_events" {
		t.Fatalf("status %d %s", status, body)
	}
	b, _ = json.Marshal(map[string]any{"events": events[:2], "extra": 1})
	status, body = e.post("/v1/traces", bytes.NewReader(b))
	if status != 400 {
		t.Fatalf("status %d %s", status, body)
	}
	if got := e.scores("big-0", "big-1", fmt.Sprintf("big-%d", ingest.MaxBatchEvents)); len(got) != 0 {
		t.Fatalf("a refused batch wrote feedback: %v", got)
	}
}

// TestEventFeedbackOwnedByAnotherWorkspace: the event is stored, its score
// is not, and the result says so.
func TestEventFeedbackOwnedByAnotherWorkspace(t *testing.T) {
	e := newEnv(t)
	must(t, feedback.NewStore(stack.TableName).Put(context.Background(), e.scoped.DynamoDB, e.org,
		feedback.Score{TraceID: "owned", Workspace: id.New(id.Workspace), Value: 0.1, Source: feedback.SourceGateway}))
	resp := e.batch(ev("owned", time.Now(), "feedback_score", 0.9))
	if r := resp.Results[0]; r.Status != ingest.StatusAccepted || !slices.Contains(r.Flags, ingest.FlagFeedbackConflict) {
		t.Fatalf("result %+v", r)
	}
	if got := e.scores("owned")["owned"]; got.Value != 0.1 {
		t.Fatalf("overwritten: %+v", got)
	}
}

func TestFeedbackBatch(t *testing.T) {
	e := newEnv(t)
	status, body := e.post("/v1/traces/feedback", feedbackBody(t,
		entry("a-1", 0.25), entry("req_b", 1), entry("a-1", 0.75), entry("c.3:x", 0)))
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	var out ingest.FeedbackResponse
	must(t, json.Unmarshal(body, &out))
	if out != (ingest.FeedbackResponse{Object: "feedback.batch", Accepted: 4}) {
		t.Fatalf("answer %+v", out)
	}
	got := e.scores("a-1", "req_b", "c.3:x")
	if len(got) != 3 || got["a-1"].Value != 0.75 || got["req_b"].Value != 1 || got["c.3:x"].Value != 0 ||
		got["a-1"].Source != feedback.SourceIngest || got["a-1"].Workspace != e.ws {
		t.Fatalf("stored %+v", got)
	}

	// The limit exactly, past DynamoDB's 100 keys per read.
	var entries []any
	var ids []string
	for i := range ingest.MaxFeedbackEntries {
		ids = append(ids, fmt.Sprintf("max-%03d", i))
		entries = append(entries, entry(ids[i], float64(i)/ingest.MaxFeedbackEntries))
	}
	if status, body := e.post("/v1/traces/feedback", feedbackBody(t, entries...)); status != 200 {
		t.Fatalf("%d entries: status %d %s", len(entries), status, body)
	}
	got = e.scores(ids...)
	if len(got) != ingest.MaxFeedbackEntries || got["max-499"].Value != 499.0/500 {
		t.Fatalf("stored %d of %d", len(got), ingest.MaxFeedbackEntries)
	}
	// An empty batch is a no-op.
	if status, body := e.post("/v1/traces/feedback", strings.NewReader(`{"feedback":[]}`)); status != 200 {
		t.Fatalf("empty batch: %d %s", status, body)
	}
}

// TestFeedbackBatchRefusals: every limit crossed refuses the whole batch,
// naming the entry at fault; nothing of a refused batch is written.
func TestFeedbackBatchRefusals(t *testing.T) {
	e := newEnv(t)
	var tooMany []any
	for i := range ingest.MaxFeedbackEntries + 1 {
		tooMany = append(tooMany, entry(fmt.Sprintf("many-%d", i), 0.5))
	}
	for _, c := range []struct {
		name        string
		body        func() *bytes.Reader
		status      int
		code, param string
	}{
		{"score below zero", func() *bytes.Reader { return feedbackBody(t, entry("ok-0", 0.5), entry("ok-1", -0.01)) }, 400, "invalid_feedback_score", "feedback[1].score"},
		{"score above one", func() *bytes.Reader {
			return feedbackBody(t, entry("ok-0", 0.5), entry("ok-1", 0.5), entry("ok-2", 1.01))
		}, 400, "invalid_feedback_score", "feedback[2].score"},
		{"score as a string", func() *bytes.Reader { return feedbackBody(t, entry("ok-0", "0.5")) }, 400, "invalid_feedback_score", "feedback[0].score"},
		{"score missing", func() *bytes.Reader { return feedbackBody(t, entry("ok-0", 0.5), map[string]any{"trace_id": "ok-1"}) }, 400, "invalid_feedback_score", "feedback[1].score"},
		{"score overflowing", func() *bytes.Reader {
			return bytes.NewReader([]byte(`{"feedback":[{"trace_id":"ok-0","score":0.5},{"trace_id":"ok-1","score":1e400}]}`))
		}, 400, "invalid_feedback_score", "feedback[1].score"},
		{"trace_id missing", func() *bytes.Reader { return feedbackBody(t, map[string]any{"score": 0.5}) }, 400, "invalid_trace_id", "feedback[0].trace_id"},
		{"trace_id bad characters", func() *bytes.Reader { return feedbackBody(t, entry("ok-0", 0.5), entry("bad id", 0.5)) }, 400, "invalid_trace_id", "feedback[1].trace_id"},
		{"trace_id too long", func() *bytes.Reader { return feedbackBody(t, entry(strings.Repeat("x", 65), 0.5)) }, 400, "invalid_trace_id", "feedback[0].trace_id"},
		{"trace_id a number", func() *bytes.Reader {
			return feedbackBody(t, entry("ok-0", 0.5), map[string]any{"trace_id": 7, "score": 0.5})
		}, 400, "invalid_trace_id", "feedback[1].trace_id"},
		{"a comment (free text)", func() *bytes.Reader {
			return feedbackBody(t, entry("ok-0", 0.5), map[string]any{"trace_id": "ok-1", "score": 0.5, "comment": "loved it"})
		}, 400, "unknown_field", "feedback[1].comment"},
		{"entry not an object", func() *bytes.Reader { return feedbackBody(t, entry("ok-0", 0.5), 0.5) }, 400, "invalid_entry", "feedback[1]"},
		{"missing feedback", func() *bytes.Reader { return bytes.NewReader([]byte(`{}`)) }, 400, "missing_feedback", "feedback"},
		{"unknown top-level field", func() *bytes.Reader { return bytes.NewReader([]byte(`{"feedback":[],"note":"x"}`)) }, 400, "invalid_body", ""},
		{"trailing data", func() *bytes.Reader { return bytes.NewReader([]byte(`{"feedback":[]} {}`)) }, 400, "invalid_body", ""},
		{"too many entries", func() *bytes.Reader { return feedbackBody(t, tooMany...) }, 413, "too_many_entries", "feedback"},
		{"body over 64 KiB", func() *bytes.Reader {
			return feedbackBody(t, entry("ok-0", 0.5), entry(strings.Repeat("x", ingest.MaxFeedbackBytes), 0.5))
		}, 413, "batch_too_large", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := e.post("/v1/traces/feedback", c.body())
			code, param, msg := decodeIngestErr(t, body)
			if status != c.status || code != c.code || param != c.param {
				t.Fatalf("got %d %s %q (%s), want %d %s %q", status, code, param, msg, c.status, c.code, c.param)
			}
			if strings.Contains(msg, "loved it") {
				t.Fatalf("error echoes the body: %s", msg)
			}
		})
	}
	if got := e.scores("ok-0", "ok-1", "ok-2", "many-0", "many-500"); len(got) != 0 {
		t.Fatalf("a refused batch wrote %v", got)
	}
	// Over the limit without a Content-Length: the bounded read refuses it.
	pad := strings.Repeat(" ", ingest.MaxFeedbackBytes)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/traces/feedback",
		strings.NewReader(`{"feedback":[{"trace_id":"ok-0","score":0.5}]`+pad+`}`))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("chunked oversize body: %d", resp.StatusCode)
	}
	// Media type and method.
	if status, _ := e.post("/v1/traces/feedback", feedbackBody(t, entry("ok-0", 0.5)), "Content-Type", "text/plain"); status != 415 {
		t.Fatalf("text/plain: %d", status)
	}
	greq, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/traces/feedback", nil)
	gresp, err := http.DefaultClient.Do(greq)
	must(t, err)
	gresp.Body.Close()
	if gresp.StatusCode != 405 {
		t.Fatalf("GET: %d", gresp.StatusCode)
	}
	if got := e.scores("ok-0"); len(got) != 0 {
		t.Fatalf("a refused request wrote %v", got)
	}
}

func TestFeedbackBatchNeedsAnIngestKey(t *testing.T) {
	e := newEnv(t)
	inference := auth.NewToken()
	e.issueToken(inference, []string{auth.ScopeInference})
	for _, c := range []struct {
		name, token string
		status      int
	}{
		{"no token", "", 401},
		{"unknown token", auth.NewToken(), 401},
		{"token without the ingest scope", inference, 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/traces/feedback", feedbackBody(t, entry("auth-1", 0.5)))
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := http.DefaultClient.Do(req)
			must(t, err)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
		})
	}
	if got := e.scores("auth-1"); len(got) != 0 {
		t.Fatalf("refused feedback stored: %v", got)
	}
}

func TestFeedbackBatchConflict(t *testing.T) {
	e := newEnv(t)
	must(t, feedback.NewStore(stack.TableName).Put(context.Background(), e.scoped.DynamoDB, e.org,
		feedback.Score{TraceID: "theirs", Workspace: id.New(id.Workspace), Value: 0.1, Source: feedback.SourceGateway}))
	status, body := e.post("/v1/traces/feedback", feedbackBody(t, entry("mine", 0.5), entry("theirs", 0.9)))
	if code, param, _ := decodeIngestErr(t, body); status != 409 || code != "feedback_conflict" || param != "feedback[1].trace_id" {
		t.Fatalf("got %d %s", status, body)
	}
	got := e.scores("mine", "theirs")
	if got["theirs"].Value != 0.1 || got["mine"].Value != 0.5 {
		t.Fatalf("stored %+v", got)
	}
}

// TestFeedbackStoreFailure: PutItem failing answers 503 with Retry-After
// on the batch route, and rejects an event carrying feedback_score as a
// store failure (the batch is then retried whole).
func TestFeedbackStoreFailure(t *testing.T) {
	e := newEnv(t)
	target, _ := url.Parse(stack.Endpoint)
	rp := httputil.NewSingleHostReverseProxy(target)
	var drop atomic.Bool
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if drop.Load() && strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutItem") {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	fn, err := stack.RoleConfig(context.Background(), "IngestFunctionRole")
	must(t, err)
	fn.BaseEndpoint = aws.String(proxy.URL)
	h, err := ingest.Assemble(fn, ingest.Settings{
		Table: stack.TableName, TenantRoleARN: stack.TenantRoleARN, KMSKeyARN: stack.KeyARN,
		RevocationDelay: time.Second, SettingsTTL: time.Nanosecond,
	}, logging.New(&logs, -8))
	must(t, err)
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)

	drop.Store(true)
	status, body := e.post("/v1/traces/feedback", feedbackBody(t, entry("lost-1", 0.5)))
	if code, _, _ := decodeIngestErr(t, body); status != 503 || code != "feedback_store_unavailable" {
		t.Fatalf("batch: %d %s", status, body)
	}
	now := time.Now().UTC()
	b, _ := json.Marshal(map[string]any{"events": []any{ev("lost-2", now, "feedback_score", 0.5)}})
	status, body = e.post("/v1/traces", bytes.NewReader(b))
	if code, _, _ := decodeIngestErr(t, body); status != 503 || code != "store_unavailable" {
		t.Fatalf("event: %d %s", status, body)
	}
	drop.Store(false)
	if got := e.scores("lost-1", "lost-2"); len(got) != 0 {
		t.Fatalf("failed writes left %v", got)
	}
	// The retried batch converges: the trace is a duplicate, its score is written.
	resp := e.batch(ev("lost-2", now, "feedback_score", 0.5))
	if resp.Duplicates != 1 || e.scores("lost-2")["lost-2"].Value != 0.5 {
		t.Fatalf("retry: %+v, %v", resp, e.scores("lost-2"))
	}
}
