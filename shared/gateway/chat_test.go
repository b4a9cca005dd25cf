package gateway_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/gateway"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// worstCase is the reservation the gateway makes for body on mock/mock-small.
func worstCase(t *testing.T, body string) pricing.NanoUSD {
	t.Helper()
	var req chat.Request
	must(t, json.Unmarshal([]byte(body), &req))
	tab, _ := pricing.NewTable(nil)
	p, _ := tab.Lookup("mock", "mock-small")
	return p.WorstCase(pricing.PromptTokenBound(&req), req.OutputCeiling())
}

type errBody struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Code    string  `json:"code"`
		Param   *string `json:"param"`
	} `json:"error"`
}

func decodeErr(t *testing.T, resp *http.Response) errBody {
	t.Helper()
	defer resp.Body.Close()
	var e errBody
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("error body is not OpenAI error JSON: %v", err)
	}
	return e
}

// readStream returns the data payloads of an SSE response, without [DONE].
func readStream(t *testing.T, resp *http.Response) (chunks []chat.Chunk, done bool, errEvent string) {
	t.Helper()
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if line == "[DONE]" {
			done = true
			continue
		}
		if strings.HasPrefix(line, `{"error"`) {
			errEvent = line
			continue
		}
		var c chat.Chunk
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("bad chunk %q: %v", line, err)
		}
		chunks = append(chunks, c)
	}
	return chunks, done, errEvent
}

func TestChatCompletion(t *testing.T) {
	e := newEnv(t)
	e.alias("default", "mock/mock-small")
	resp := e.post(`{"model":"default","messages":[{"role":"user","content":"hello there"}],"seed":1,"user":"u1"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %+v", resp.StatusCode, decodeErr(t, resp))
	}
	if resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("X-Tollgate-Provider") != "mock" {
		t.Fatalf("missing headers: %v", resp.Header)
	}
	var out chat.Response
	must(t, json.NewDecoder(resp.Body).Decode(&out))
	if len(out.Choices) != 1 || out.Choices[0].Message.Content.String() == "" || out.Usage == nil || out.Usage.TotalTokens == 0 {
		t.Fatalf("bad response %+v", out)
	}
	sp := e.settled()
	if sp.Spent <= 0 || sp.Reserved != 0 {
		t.Fatalf("call not settled: %+v", sp)
	}
}

func TestStreamingRelaysChunksAndUsage(t *testing.T) {
	e := newEnv(t)
	for _, wantUsage := range []bool{false, true} {
		body := `{"model":"mock/mock-small","stream":true,"messages":[{"role":"user","content":"tell me a story"}]}`
		if wantUsage {
			body = `{"model":"mock/mock-small","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"tell me a story"}]}`
		}
		resp := e.post(body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("status %d type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		chunks, done, errEv := readStream(t, resp)
		if !done || errEv != "" || len(chunks) < 2 {
			t.Fatalf("stream incomplete: %d chunks, done=%v, err=%s", len(chunks), done, errEv)
		}
		var sawUsage bool
		for _, c := range chunks {
			if c.Usage != nil {
				sawUsage = true
			}
		}
		if sawUsage != wantUsage {
			t.Fatalf("include_usage=%v but usage chunk present=%v", wantUsage, sawUsage)
		}
	}
	if sp := e.settled(); sp.Reserved != 0 || sp.Spent <= 0 {
		t.Fatalf("stream not settled: %+v", sp)
	}
}

// TestSameCostStreamedOrNot: the same request costs the same either way.
func TestSameCostStreamedOrNot(t *testing.T) {
	a, b := newEnv(t), newEnv(t)
	msg := `"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"what is the capital of France?"}],"max_tokens":64`
	resp := a.post(`{"model":"mock/mock-large",` + msg + `}`)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	resp = b.post(`{"model":"mock/mock-large","stream":true,` + msg + `}`)
	readStream(t, resp)
	if sa, sb := a.settled(), b.settled(); sa.Spent != sb.Spent || sa.Spent == 0 {
		t.Fatalf("non-streamed cost %d, streamed %d", sa.Spent, sb.Spent)
	}
}

func TestOpenAICompatibleUpstreamWithKey(t *testing.T) {
	e := newEnv(t)
	before := upstreamCalls.Load()
	resp := e.post(`{"model":"loop/mock-small","messages":[{"role":"user","content":"hi"}],` +
		`"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %+v", resp.StatusCode, decodeErr(t, resp))
	}
	resp.Body.Close()
	if upstreamCalls.Load() != before+1 {
		t.Fatal("upstream not called exactly once")
	}
	// A connection without a key is a clear 400-class error, with no call.
	resp = e.post(`{"model":"nokey/mock-small","messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 400 || decodeErr(t, resp).Error.Code != "provider_key_missing" {
		t.Fatalf("missing key: status %d", resp.StatusCode)
	}
	if upstreamCalls.Load() != before+1 {
		t.Fatal("upstream called without a key")
	}
}

func TestFallbackBeforeFirstByte(t *testing.T) {
	e := newEnv(t)
	e.alias("resilient", "loop/mock-down", "loop/mock-small")
	for _, stream := range []bool{false, true} {
		before := upstreamCalls.Load()
		resp := e.post(fmt.Sprintf(`{"model":"resilient","stream":%v,"messages":[{"role":"user","content":"hi"}]}`, stream))
		if resp.StatusCode != 200 {
			t.Fatalf("stream=%v: status %d: %+v", stream, resp.StatusCode, decodeErr(t, resp))
		}
		if stream {
			if _, done, _ := readStream(t, resp); !done {
				t.Fatal("fallback stream incomplete")
			}
		} else {
			resp.Body.Close()
		}
		// One try and one retry on the failing target, then the fallback.
		if got := upstreamCalls.Load() - before; got != 3 {
			t.Fatalf("stream=%v: %d upstream calls, want 3 (retry, then fallback)", stream, got)
		}
	}
	e.alias("down", "loop/mock-down")
	resp := e.post(`{"model":"down","messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 502 {
		t.Fatalf("all targets down: status %d", resp.StatusCode)
	}
	resp = e.post(`{"model":"loop/mock-throttled","messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("upstream 429: status %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if sp := e.settled(); sp.Reserved != 0 {
		t.Fatalf("failed calls leaked a reservation: %+v", sp)
	}
}

func TestStreamFailingMidwaySendsErrorEventAndSettles(t *testing.T) {
	e := newEnv(t)
	resp := e.post(`{"model":"loop/mock-broken","stream":true,"messages":[{"role":"user","content":"a long answer please"}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	chunks, done, errEv := readStream(t, resp)
	if done || errEv == "" || len(chunks) == 0 {
		t.Fatalf("want chunks then an error event: chunks=%d done=%v err=%q", len(chunks), done, errEv)
	}
	if sp := e.settled(); sp.Reserved != 0 || sp.Spent <= 0 {
		t.Fatalf("broken stream not billed for what it used: %+v", sp)
	}
}

func TestModelsList(t *testing.T) {
	e := newEnv(t, withSettings(workspace.Settings{Name: "t", AllowedModels: []string{"default", "mock/mock-small"}}))
	e.alias("default", "mock/mock-small")
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	var list chat.ModelList
	must(t, json.NewDecoder(resp.Body).Decode(&list))
	var ids []string
	for _, m := range list.Data {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "default,mock/mock-small" {
		t.Fatalf("models: %v", ids)
	}
	// A model outside the allow-list is forbidden.
	resp = e.post(`{"model":"mock/mock-large","messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 403 || decodeErr(t, resp).Error.Code != "model_not_allowed" {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestConcurrentRequestsNeverOverspend(t *testing.T) {
	// mock-small: 150k/600k micro-USD per M tokens; max_tokens 50 keeps the
	// worst case small and exact.
	body := `{"model":"mock/mock-small","max_tokens":50,"messages":[{"role":"user","content":"count to ten"}]}`
	e := newEnv(t, withGateway(func(g *gateway.Settings) { g.BudgetTimeout = time.Minute }))
	worst := worstCase(t, body)
	capAmount := worst * 50
	must(t, e.store.PutSettings(t.Context(), e.scoped.DynamoDB, e.org, e.ws, workspace.Settings{Name: "t", MonthlyCap: capAmount}))
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			b := body
			if i%2 == 1 {
				b = strings.Replace(body, `"max_tokens":50`, `"max_tokens":50,"stream":true`, 1)
			}
			resp := e.post(b)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	sp := e.settled()
	if sp.Spent > capAmount || sp.Reserved != 0 {
		t.Fatalf("spent %d of cap %d, reserved %d", sp.Spent, capAmount, sp.Reserved)
	}
	if codes[200] < 50 || codes[200]+codes[429] != 200 {
		t.Fatalf("status counts %v: worst-case reservations allow at least 50", codes)
	}
	t.Logf("200 concurrent requests (half streamed): %v, spent %d of %d", codes, sp.Spent, capAmount)
}

func TestRateLimitRefusesExactlyTheExcess(t *testing.T) {
	now := time.Now().UTC()
	e := newEnv(t, withSettings(workspace.Settings{Name: "t", RPM: 5}),
		withGateway(func(g *gateway.Settings) { g.Clock = func() time.Time { return now } })) // one minute window
	limited := 0
	for i := 0; i < 8; i++ {
		resp := e.post(`{"model":"mock/mock-tiny","messages":[{"role":"user","content":"hi"}]}`)
		switch resp.StatusCode {
		case 200:
			resp.Body.Close()
		case 429:
			if resp.Header.Get("Retry-After") == "" || decodeErr(t, resp).Error.Code != "rate_limit_exceeded" {
				t.Fatal("429 without Retry-After or code")
			}
			limited++
		default:
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if limited != 3 {
		t.Fatalf("%d refused, want 3", limited)
	}
}
