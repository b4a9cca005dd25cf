package mock_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
	"github.com/tollgate-dev/tollgate/shared/provider/openai"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

const key = "sk-mock-loopback-key"

// harness is a mock served on loopback with the openai adapter pointed at it.
type harness struct {
	mock    *mock.Mock
	srv     *httptest.Server
	adapter *openai.Provider
	azure   *openai.Provider
}

func newHarness(t testing.TB, opts mock.Options) *harness {
	t.Helper()
	opts.APIKey = key
	m, err := mock.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	return &harness{
		mock:    m,
		srv:     srv,
		adapter: openai.New(srv.Client(), openai.Options{Name: "mock-http"}),
		azure:   openai.New(srv.Client(), openai.Options{Flavor: openai.FlavorAzure}),
	}
}

func (h *harness) call(req *chat.Request) *provider.Call {
	return &provider.Call{
		Request:    req,
		Credential: provider.Credential{APIKey: key},
		Endpoint:   provider.Endpoint{BaseURL: h.srv.URL + "/v1"},
	}
}

func request(t testing.TB, js string) *chat.Request {
	t.Helper()
	var r chat.Request
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// drain reads a stream to its end.
func drain(t *testing.T, s provider.Stream) (text string, finish string, usage *chat.Usage, tool *chat.ToolCall, chunks int, err error) {
	t.Helper()
	defer s.Close()
	for {
		c, e := s.Recv()
		if e != nil {
			return text, finish, usage, tool, chunks, e
		}
		chunks++
		if c.Usage != nil {
			usage = c.Usage
		}
		for _, cc := range c.Choices {
			if cc.Delta.Content != nil {
				text += *cc.Delta.Content
			}
			for _, tc := range cc.Delta.ToolCalls {
				if tool == nil {
					tool = &chat.ToolCall{ID: tc.ID, Type: tc.Type}
				}
				tool.Function.Name += tc.Function.Name
				tool.Function.Arguments += tc.Function.Arguments
			}
			if cc.FinishReason != nil {
				finish = *cc.FinishReason
			}
		}
	}
}

var e2eRequests = []struct {
	name string
	req  string
}{
	{"plain", `{"model":"mock-large","messages":[{"role":"user","content":"Tell me about budgets."}]}`},
	{"reference", `{"model":"mock-tiny","messages":[{"role":"user","content":"What is the capital of Norway?\nAnswer: Oslo"}]}`},
	{"ceiling", `{"model":"mock-small","messages":[{"role":"user","content":"Write a lot."}],"max_tokens":4}`},
	{"tool call", `{"model":"mock-small","messages":[{"role":"user","content":"call lookup now"}],"tools":[{"type":"function","function":{"name":"lookup"}}]}`},
	{"multi-turn", `{"model":"mock-large","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."},{"role":"user","content":"Again?"}],"stop":"."}`},
	{"judge verdict", `{"model":"mock-tiny","messages":[{"role":"system","content":"You are an impartial evaluator. Grade it."},{"role":"user","content":"<conversation>\n[user]\nCapital of Norway?\n</conversation>\nResponse 1:\n<response>\nOslo\n</response>\nResponse 2:\n<response>\nBergen\n</response>\n"}],"max_tokens":200}`},
}

// TestAdapterAgainstHandler is the openai adapter's end-to-end test and the
// handler's: over loopback, both calls match the in-memory mock exactly.
func TestAdapterAgainstHandler(t *testing.T) {
	h := newHarness(t, mock.Options{})
	ctx := context.Background()
	for _, c := range e2eRequests {
		t.Run(c.name, func(t *testing.T) {
			req := request(t, c.req)
			direct, err := h.mock.Complete(ctx, &provider.Call{Request: req})
			if err != nil {
				t.Fatal(err)
			}
			viaHTTP, err := h.adapter.Complete(ctx, h.call(req))
			if err != nil {
				t.Fatal(err)
			}
			s, err := h.adapter.Stream(ctx, h.call(req))
			if err != nil {
				t.Fatal(err)
			}
			text, finish, usage, tool, _, err := drain(t, s)
			if err != io.EOF {
				t.Fatalf("stream ended with %v", err)
			}
			want := direct.Choices[0]
			got := viaHTTP.Choices[0]
			if got.Message.Content.String() != want.Message.Content.String() || got.FinishReason != want.FinishReason {
				t.Errorf("HTTP complete %q/%s, in memory %q/%s", got.Message.Content.String(), got.FinishReason, want.Message.Content.String(), want.FinishReason)
			}
			if text != want.Message.Content.String() || finish != want.FinishReason {
				t.Errorf("HTTP stream %q/%s, in memory %q/%s", text, finish, want.Message.Content.String(), want.FinishReason)
			}
			if !reflect.DeepEqual(viaHTTP.Usage, direct.Usage) || !reflect.DeepEqual(usage, direct.Usage) {
				t.Errorf("usage: memory %+v, HTTP %+v, stream %+v", direct.Usage, viaHTTP.Usage, usage)
			}
			if len(want.Message.ToolCalls) > 0 {
				wt := want.Message.ToolCalls[0]
				if tool == nil || tool.ID != wt.ID || tool.Function != wt.Function || !reflect.DeepEqual(got.Message.ToolCalls, want.Message.ToolCalls) {
					t.Errorf("tool call: memory %+v, HTTP %+v, stream %+v", wt, got.Message.ToolCalls, tool)
				}
			}
			if viaHTTP.Model != req.Model {
				t.Errorf("model %q", viaHTTP.Model)
			}
		})
	}
}

func TestAzureFlavorAgainstHandler(t *testing.T) {
	h := newHarness(t, mock.Options{})
	req := request(t, `{"model":"mock-small","messages":[{"role":"user","content":"Answer: yes"}]}`)
	call := h.call(req)
	call.Endpoint.BaseURL = h.srv.URL
	resp, err := h.azure.Complete(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Model != "mock-small" || resp.Choices[0].Message.Content.String() != h.mock.Answer("mock-small", req.Messages) {
		t.Errorf("got %+v", resp)
	}
}

func TestInjectedFaultsOverHTTP(t *testing.T) {
	h := newHarness(t, mock.Options{
		FailWith:      map[string]int{"busy": 429, "broken": 500},
		FailMidStream: map[string]int{"flaky": 3},
		DropMidStream: map[string]int{"dropper": 2},
	})
	ctx := context.Background()
	msg := `"messages":[{"role":"user","content":"Hello there"}]`
	for _, c := range []struct {
		model  string
		status int
		typ    string
		retry  time.Duration
	}{
		{"busy", 429, "rate_limit_exceeded", time.Second},
		{"broken", 500, "server_error", 0},
	} {
		req := request(t, `{"model":"`+c.model+`",`+msg+`}`)
		_, errC := h.adapter.Complete(ctx, h.call(req))
		_, errS := h.adapter.Stream(ctx, h.call(req))
		_, errM := h.mock.Complete(ctx, &provider.Call{Request: req})
		for i, err := range []error{errC, errS, errM} {
			pe, ok := provider.AsError(err)
			if !ok || pe.StatusCode != c.status || pe.Type != c.typ || pe.RetryAfter != c.retry {
				t.Errorf("%s path %d: got %#v", c.model, i, err)
			}
		}
	}
	for _, c := range []struct {
		model string
		typ   string
		cause error
	}{
		{"flaky", "server_error", nil},
		{"dropper", "stream_interrupted", io.ErrUnexpectedEOF},
	} {
		req := request(t, `{"model":"`+c.model+`",`+msg+`}`)
		s, err := h.adapter.Stream(ctx, h.call(req))
		if err != nil {
			t.Fatal(err)
		}
		_, _, usage, _, chunks, errHTTP := drain(t, s)
		s, err = h.mock.Stream(ctx, &provider.Call{Request: req})
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, _, memChunks, errMem := drain(t, s)
		for _, err := range []error{errHTTP, errMem} {
			pe, ok := provider.AsError(err)
			if !ok || pe.Type != c.typ || pe.StatusCode != http.StatusOK {
				t.Errorf("%s: got %#v", c.model, err)
			}
			if c.cause != nil && !errors.Is(err, c.cause) {
				t.Errorf("%s: cause of %v", c.model, err)
			}
		}
		if chunks != memChunks || usage != nil {
			t.Errorf("%s: HTTP delivered %d chunks (usage %v), memory %d", c.model, chunks, usage, memChunks)
		}
	}
}

func TestHandlerWire(t *testing.T) {
	h := newHarness(t, mock.Options{})
	post := func(path, body string, header http.Header) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(body))
		req.Header = header
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	auth := http.Header{"Authorization": {"Bearer " + key}}
	cases := []struct {
		name   string
		path   string
		body   string
		header http.Header
		status int
		code   string
	}{
		{"no key", "/v1/chat/completions", `{}`, http.Header{}, 401, "invalid_api_key"},
		{"wrong key", "/v1/chat/completions", `{}`, http.Header{"Authorization": {"Bearer sk-wrong-guess"}}, 401, "invalid_api_key"},
		{"bad json", "/v1/chat/completions", `{"model":`, auth, 400, ""},
		{"no messages", "/v1/chat/completions", `{"model":"mock-large","messages":[]}`, auth, 400, ""},
		{"unknown path", "/v1/embeddings", `{}`, auth, 404, "unknown_url"},
		{"azure without version", "/openai/deployments/mock-large/chat/completions", `{}`, http.Header{"Api-Key": {key}}, 400, ""},
	}
	for _, c := range cases {
		resp := post(c.path, c.body, c.header)
		var body struct {
			Error struct {
				Message string  `json:"message"`
				Type    string  `json:"type"`
				Code    *string `json:"code"`
			} `json:"error"`
		}
		raw, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(raw, &body); err != nil || resp.StatusCode != c.status || body.Error.Message == "" {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, raw)
		}
		code := ""
		if body.Error.Code != nil {
			code = *body.Error.Code
		}
		if code != c.code {
			t.Errorf("%s: code %q, want %q", c.name, code, c.code)
		}
		if strings.Contains(string(raw), "sk-wrong-guess") {
			t.Errorf("%s: the sent key was echoed", c.name)
		}
	}

	// Without include_usage the stream carries no usage chunk, as OpenAI's.
	resp := post("/v1/chat/completions", `{"model":"mock-large","stream":true,"messages":[{"role":"user","content":"Hi"}]}`, auth)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("stream answered %d %s", resp.StatusCode, ct)
	}
	events := sse.NewReader(resp.Body)
	var last []byte
	for {
		ev, err := events.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(ev.Data, []byte(`"usage"`)) {
			t.Errorf("usage sent without include_usage: %s", ev.Data)
		}
		last = ev.Data
	}
	if string(last) != "[DONE]" {
		t.Errorf("last event %q", last)
	}
}

func TestModelsEndpoint(t *testing.T) {
	h := newHarness(t, mock.Options{})
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list chat.ModelList
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || list.Object != "list" || !reflect.DeepEqual(list.Data, h.mock.Models()) {
		t.Errorf("got %d %+v", resp.StatusCode, list)
	}
}

func TestDefaultHandlerNeedsNoKey(t *testing.T) {
	srv := httptest.NewServer(mock.Handler())
	defer srv.Close()
	p := openai.New(srv.Client(), openai.Options{})
	call := &provider.Call{
		Request:  request(t, `{"model":"mock-large","messages":[{"role":"user","content":"Hi"}]}`),
		Endpoint: provider.Endpoint{BaseURL: srv.URL + "/v1"},
	}
	if _, err := p.Complete(context.Background(), call); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkStreamOverLoopback(b *testing.B) {
	h := newHarness(b, mock.Options{})
	req := request(b, `{"model":"mock-large","messages":[{"role":"user","content":"Tell me about budgets."}]}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s, err := h.adapter.Stream(ctx, h.call(req))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := s.Recv(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		s.Close()
	}
}
