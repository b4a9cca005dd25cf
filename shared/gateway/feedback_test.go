package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/gateway"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// postFeedback sends body to POST /v1/feedback with token ("" for none).
func (e *env) postFeedback(token, body string) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/feedback", strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	must(e.t, err)
	return resp
}

// scores reads the env's org's feedback for ids with its scoped session.
func (e *env) scores(ids ...string) map[string]feedback.Score {
	e.t.Helper()
	got, err := feedback.NewStore(stack.TableName).Get(context.Background(), e.scoped.DynamoDB, e.org, ids)
	must(e.t, err)
	return got
}

func decodeFeedback(t *testing.T, resp *http.Response) gateway.FeedbackResponse {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var out gateway.FeedbackResponse
	must(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// TestFeedbackForAGatewayCall: the trace ID a call's X-Request-Id names
// takes a score; a second score replaces it; nothing is spent or reserved.
func TestFeedbackForAGatewayCall(t *testing.T) {
	e := newEnv(t)
	resp := e.post(`{"model":"mock/mock-small","messages":[{"role":"user","content":"hello"}]}`)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	traceID := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 200 || !strings.HasPrefix(traceID, "req_") {
		t.Fatalf("chat call: status %d, X-Request-Id %q", resp.StatusCode, traceID)
	}
	before := e.settled()

	start := time.Now()
	fr := e.postFeedback(e.token, fmt.Sprintf(`{"trace_id":%q,"score":0.8}`, traceID))
	if rid := fr.Header.Get("X-Request-Id"); rid == "" || rid == traceID {
		t.Fatalf("feedback's own X-Request-Id %q", rid)
	}
	if out := decodeFeedback(t, fr); out != (gateway.FeedbackResponse{Object: "feedback", TraceID: traceID, Score: 0.8}) {
		t.Fatalf("answer %+v", out)
	}
	got := e.scores(traceID)[traceID]
	if got.Value != 0.8 || got.Workspace != e.ws || got.Source != feedback.SourceGateway || got.Time.Before(start.Add(-time.Second)) {
		t.Fatalf("stored %+v", got)
	}

	// Again: last write wins, one item.
	decodeFeedback(t, e.postFeedback(e.token, fmt.Sprintf(`{"trace_id":%q,"score":0}`, traceID)))
	if got := e.scores(traceID)[traceID]; got.Value != 0 {
		t.Fatalf("after overwrite %+v", got)
	}
	if after := e.spend(); after != before {
		t.Fatalf("feedback changed spend: %+v → %+v", before, after)
	}

	// Kept for the workspace's trace retention, counted from receipt.
	snap, err := e.store.Load(context.Background(), e.scoped.DynamoDB, e.org, e.ws)
	must(t, err)
	out, err := e.scoped.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.TableName),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#" + e.org + "#FB#" + traceID},
			"sk": &types.AttributeValueMemberS{Value: "FB"}}, ConsistentRead: aws.Bool(true)})
	must(t, err)
	exp, _ := strconv.ParseInt(out.Item["expires_at"].(*types.AttributeValueMemberN).Value, 10, 64)
	want := time.Now().Add(time.Duration(snap.Settings.RetentionDays) * 24 * time.Hour).Unix()
	if snap.Settings.RetentionDays <= 0 || exp < want-60 || exp > want+60 {
		t.Fatalf("expires_at %d, want about %d (retention %d days)", exp, want, snap.Settings.RetentionDays)
	}
}

// TestFeedbackIgnoresSpendCaps: a key whose cap refuses every call may
// still send feedback, and it reserves nothing.
func TestFeedbackIgnoresSpendCaps(t *testing.T) {
	e := newEnv(t)
	capped := auth.NewToken()
	e.issueToken(id.New(id.Token), capped, []string{auth.ScopeInference}, time.Now().Add(time.Hour), 1)
	e.token = capped
	resp := e.post(`{"model":"mock/mock-small","messages":[{"role":"user","content":"hello"}]}`)
	if body := decodeErr(t, resp); resp.StatusCode != 429 {
		t.Fatalf("capped key: status %d %+v", resp.StatusCode, body)
	}
	decodeFeedback(t, e.postFeedback(capped, `{"trace_id":"req_capped","score":1}`))
	if sp := e.spend(); sp.Reserved != 0 || sp.Spent != 0 {
		t.Fatalf("feedback reserved or spent: %+v", sp)
	}
}

func TestFeedbackNeedsAKey(t *testing.T) {
	e := newEnv(t)
	ingestOnly := auth.NewToken()
	e.issueToken(id.New(id.Token), ingestOnly, []string{auth.ScopeIngest}, time.Now().Add(time.Hour), 0)
	expired := auth.NewToken()
	e.issueToken(id.New(id.Token), expired, []string{auth.ScopeInference}, time.Now().Add(-time.Minute), 0)
	body := `{"trace_id":"req_authcheck","score":0.5}`
	for _, c := range []struct {
		name   string
		token  string
		status int
	}{
		{"no token", "", 401},
		{"unknown token", auth.NewToken(), 401},
		{"malformed token", "not-a-key", 401},
		{"expired token", expired, 401},
		{"token without the inference scope", ingestOnly, 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := e.postFeedback(c.token, body)
			eb := decodeErr(t, resp)
			if resp.StatusCode != c.status || eb.Error.Code == "" {
				t.Fatalf("status %d %+v, want %d", resp.StatusCode, eb, c.status)
			}
		})
	}
	if got := e.scores("req_authcheck"); len(got) != 0 {
		t.Fatalf("refused feedback was stored: %v", got)
	}
}

func TestFeedbackBadInput(t *testing.T) {
	e := newEnv(t)
	const tid = "req_badinput"
	for _, c := range []struct {
		name, body  string
		status      int
		code, param string
	}{
		{"score below zero", `{"trace_id":"req_badinput","score":-0.01}`, 400, "invalid_feedback_score", "score"},
		{"score above one", `{"trace_id":"req_badinput","score":1.01}`, 400, "invalid_feedback_score", "score"},
		{"score overflowing float64", `{"trace_id":"req_badinput","score":1e400}`, 400, "invalid_feedback_score", "score"},
		{"score as a string", `{"trace_id":"req_badinput","score":"0.5"}`, 400, "invalid_feedback_score", "score"},
		{"score null", `{"trace_id":"req_badinput","score":null}`, 400, "invalid_feedback_score", "score"},
		{"score missing", `{"trace_id":"req_badinput"}`, 400, "invalid_feedback_score", "score"},
		{"trace_id missing", `{"score":0.5}`, 400, "invalid_trace_id", "trace_id"},
		{"trace_id empty", `{"trace_id":"","score":0.5}`, 400, "invalid_trace_id", "trace_id"},
		{"trace_id too long", `{"trace_id":"` + strings.Repeat("r", 65) + `","score":0.5}`, 400, "invalid_trace_id", "trace_id"},
		{"trace_id with a space", `{"trace_id":"req badinput","score":0.5}`, 400, "invalid_trace_id", "trace_id"},
		{"trace_id with a key separator", `{"trace_id":"req#x","score":0.5}`, 400, "invalid_trace_id", "trace_id"},
		{"trace_id as a number", `{"trace_id":12,"score":0.5}`, 400, "invalid_trace_id", "trace_id"},
		{"a comment (free text)", `{"trace_id":"req_badinput","score":0.5,"comment":"great answer"}`, 400, "unknown_field", "comment"},
		{"trailing data", `{"trace_id":"req_badinput","score":0.5}{}`, 400, "invalid_json", ""},
		{"not JSON", `trace_id=req_badinput&score=0.5`, 400, "invalid_json", ""},
		{"an array", `[{"trace_id":"req_badinput","score":0.5}]`, 400, "invalid_json", ""},
		{"empty body", ``, 400, "invalid_json", ""},
		{"body over 4 KiB", `{"trace_id":"req_badinput","score":0.5,"pad":"` + strings.Repeat("x", gateway.MaxFeedbackBytes) + `"}`, 413, "request_too_large", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := e.postFeedback(e.token, c.body)
			eb := decodeErr(t, resp)
			param := ""
			if eb.Error.Param != nil {
				param = *eb.Error.Param
			}
			if resp.StatusCode != c.status || eb.Error.Code != c.code || param != c.param || eb.Error.Type != "invalid_request_error" {
				t.Fatalf("got %d %+v (param %q), want %d %s %q", resp.StatusCode, eb.Error, param, c.status, c.code, c.param)
			}
			if strings.Contains(eb.Error.Message, "great answer") {
				t.Fatalf("error echoes the body: %s", eb.Error.Message)
			}
		})
	}
	// At the limit is fine; one byte over is refused even without a
	// Content-Length (a bounded read, not only the header).
	atLimit := `{"trace_id":"req_badinput","score":0.5}`
	atLimit += strings.Repeat(" ", gateway.MaxFeedbackBytes-len(atLimit))
	decodeFeedback(t, e.postFeedback(e.token, atLimit))
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/v1/feedback", io.MultiReader(strings.NewReader(atLimit), strings.NewReader(" ")))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	if eb := decodeErr(t, resp); resp.StatusCode != 413 || eb.Error.Code != "request_too_large" {
		t.Fatalf("chunked oversize body: %d %+v", resp.StatusCode, eb)
	}
	// Only the one valid request was recorded.
	if got := e.scores(tid); got[tid].Value != 0.5 || len(got) != 1 {
		t.Fatalf("stored %v", got)
	}
	if got := e.scores("req_" + strings.Repeat("r", 60)); len(got) != 0 {
		t.Fatalf("stored %v", got)
	}
}

// TestFeedbackFromAnotherWorkspaceIsRefused: a trace ID rated from one
// workspace cannot be overwritten from another workspace of the org.
func TestFeedbackFromAnotherWorkspaceIsRefused(t *testing.T) {
	e := newEnv(t)
	decodeFeedback(t, e.postFeedback(e.token, `{"trace_id":"req_shared","score":0.9}`))
	must(t, feedback.NewStore(stack.TableName).Put(context.Background(), e.scoped.DynamoDB, e.org,
		feedback.Score{TraceID: "req_other", Workspace: id.New(id.Workspace), Value: 0.1, Source: feedback.SourceIngest}))
	resp := e.postFeedback(e.token, `{"trace_id":"req_other","score":0.9}`)
	if eb := decodeErr(t, resp); resp.StatusCode != 409 || eb.Error.Code != "feedback_conflict" {
		t.Fatalf("got %d %+v", resp.StatusCode, eb)
	}
	if got := e.scores("req_other")["req_other"]; got.Value != 0.1 {
		t.Fatalf("overwritten: %+v", got)
	}
}

// putFaults drops every DynamoDB PutItem at the socket and passes
// everything else through.
type putFaults struct {
	drop atomic.Bool
	srv  *httptest.Server
}

func newPutFaults(t *testing.T) *putFaults {
	target, _ := url.Parse(stack.Endpoint)
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &putFaults{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.drop.Load() && strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutItem") {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// TestFeedbackStoreFailureIs503: a store that fails the write answers a
// typed 503 with Retry-After, and nothing is recorded.
func TestFeedbackStoreFailureIs503(t *testing.T) {
	proxy := newPutFaults(t)
	e := newEnv(t, withAWSEndpoint(proxy.srv.URL))
	decodeFeedback(t, e.postFeedback(e.token, `{"trace_id":"req_warm","score":0.5}`))
	proxy.drop.Store(true)
	resp := e.postFeedback(e.token, `{"trace_id":"req_lost","score":0.5}`)
	eb := decodeErr(t, resp)
	if resp.StatusCode != 503 || eb.Error.Code != "feedback_store_unavailable" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("got %d %+v (Retry-After %q)", resp.StatusCode, eb, resp.Header.Get("Retry-After"))
	}
	proxy.drop.Store(false)
	if got := e.scores("req_lost"); len(got) != 0 {
		t.Fatalf("a failed write left %v", got)
	}

	// The whole AWS endpoint stopped: 503 as well (authentication cannot
	// be checked).
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := dead.Addr().String()
	dead.Close()
	e2 := newEnv(t, withAWSEndpoint("http://"+addr))
	resp = e2.postFeedback(e.token, `{"trace_id":"req_lost","score":0.5}`)
	if eb := decodeErr(t, resp); resp.StatusCode != 503 {
		t.Fatalf("stopped store: %d %+v", resp.StatusCode, eb)
	}
}
