package mock

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// streamed is what a consumer assembles from a stream.
type streamed struct {
	text          map[int]string
	finish        map[int]string
	tool          map[int]chat.ToolCall
	usage         *chat.Usage
	chunks        int
	contentChunks int
	err           error
}

// collect drains s, checking that every chunk of the stream agrees on its
// identity and that usage comes last, alone.
func collect(t *testing.T, s provider.Stream) streamed {
	t.Helper()
	got := streamed{text: map[int]string{}, finish: map[int]string{}, tool: map[int]chat.ToolCall{}}
	var first *chat.Chunk
	for {
		c, err := s.Recv()
		if err != nil {
			got.err = err
			break
		}
		if got.usage != nil {
			t.Error("chunk after the usage chunk")
		}
		got.chunks++
		if first == nil {
			first = c
		}
		if c.ID != first.ID || c.Created != first.Created || c.Model != first.Model || c.Object != "chat.completion.chunk" {
			t.Errorf("chunk identity changed: %+v vs %+v", c, first)
		}
		if c.Usage != nil {
			if len(c.Choices) != 0 {
				t.Error("usage on a chunk with choices")
			}
			got.usage = c.Usage
		}
		for _, cc := range c.Choices {
			if d := cc.Delta.Content; d != nil && *d != "" {
				got.text[cc.Index] += *d
				got.contentChunks++
			}
			for _, tc := range cc.Delta.ToolCalls {
				prev := got.tool[cc.Index]
				if tc.ID != "" {
					prev.ID, prev.Type = tc.ID, tc.Type
				}
				prev.Function.Name += tc.Function.Name
				prev.Function.Arguments += tc.Function.Arguments
				got.tool[cc.Index] = prev
			}
			if cc.FinishReason != nil {
				got.finish[cc.Index] = *cc.FinishReason
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	s.Close()
	return got
}

func mustRequest(t testing.TB, js string) *chat.Request {
	t.Helper()
	var r chat.Request
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

const weatherTool = `"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]`

// parityCases are requests whose streamed and non-streamed answers must agree.
var parityCases = []struct {
	name       string
	req        string
	wantText   string // choice 0's text, checked when exact
	exact      bool
	wantFinish string
	wantTool   string
	choices    int
}{
	{name: "canned answer", req: `{"model":"mock-large","messages":[{"role":"user","content":"Tell me something."}]}`, wantFinish: "stop", choices: 1},
	{name: "reference answer", req: `{"model":"exact","messages":[{"role":"system","content":"Be exact."},{"role":"user","content":"What is 2+2?\nAnswer: 4"}]}`, wantText: "4", exact: true, wantFinish: "stop", choices: 1},
	{name: "ceiling cuts with length", req: `{"model":"exact","messages":[{"role":"user","content":"Spell it.\nAnswer: one two three four five"}],"max_tokens":3}`, wantText: "one two thre", exact: true, wantFinish: "length", choices: 1},
	{name: "max_completion_tokens wins", req: `{"model":"exact","messages":[{"role":"user","content":"Answer: alpha beta"}],"max_tokens":50,"max_completion_tokens":1}`, wantText: "alph", exact: true, wantFinish: "length", choices: 1},
	{name: "stop sequence", req: `{"model":"exact","messages":[{"role":"user","content":"Answer: alpha beta. gamma"}],"stop":[".","zz"]}`, wantText: "alpha beta", exact: true, wantFinish: "stop", choices: 1},
	{name: "n choices", req: `{"model":"mock-tiny","messages":[{"role":"user","content":"Pick a card."}],"n":3,"max_tokens":5}`, choices: 3},
	{name: "tool call", req: `{"model":"mock-small","messages":[{"role":"user","content":"Please call get_weather for Oslo."}],` + weatherTool + `}`, wantFinish: "tool_calls", wantTool: "get_weather", choices: 1},
	{name: "tool_choice none", req: `{"model":"exact","messages":[{"role":"user","content":"call get_weather\nAnswer: no"}],"tool_choice":"none",` + weatherTool + `}`, wantText: "no", exact: true, wantFinish: "stop", choices: 1},
	{name: "tool not offered", req: `{"model":"exact","messages":[{"role":"user","content":"call get_time\nAnswer: no"}],` + weatherTool + `}`, wantText: "no", exact: true, wantFinish: "stop", choices: 1},
	{name: "tool call over the ceiling", req: `{"model":"mock-small","messages":[{"role":"user","content":"call get_weather"}],"max_tokens":2,` + weatherTool + `}`, wantText: "", exact: true, wantFinish: "length", choices: 1},
	{name: "judge verdict", req: `{"model":"exact","messages":[{"role":"system","content":"You are an impartial evaluator. Grade it."},{"role":"user","content":"<conversation>\n[user]\nWhat is 2+2?\n</conversation>\nA reference answer, to guide the evaluation:\n<reference>\n4\n</reference>\n<response>\n 4 \n</response>\n"}],"max_tokens":200}`, wantText: `{"score":1,"reason":"the response matches the reference answer"}`, exact: true, wantFinish: "stop", choices: 1},
	{name: "judge verdict cut at the ceiling", req: `{"model":"mock-tiny","messages":[{"role":"system","content":"You are an impartial evaluator."},{"role":"user","content":"<conversation>\n[user]\nQ\n</conversation>\n<response>\nA\n</response>\n"}],"max_tokens":2}`, wantText: `{"`, exact: true, wantFinish: "length", choices: 1},
	{name: "multimodal", req: `{"model":"mock-large","messages":[{"role":"user","content":[{"type":"text","text":"Describe."},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}`, wantFinish: "stop", choices: 1},
}

func TestStreamAndCompleteAgree(t *testing.T) {
	m := newMock(t, Options{Models: map[string]Model{"exact": {Quality: 1}}})
	ctx := context.Background()
	for _, c := range parityCases {
		t.Run(c.name, func(t *testing.T) {
			req := mustRequest(t, c.req)
			resp, err := m.Complete(ctx, &provider.Call{Request: req})
			if err != nil {
				t.Fatal(err)
			}
			again, _ := m.Complete(ctx, &provider.Call{Request: req})
			s, err := m.Stream(ctx, &provider.Call{Request: req})
			if err != nil {
				t.Fatal(err)
			}
			got := collect(t, s)
			if got.err != io.EOF {
				t.Fatalf("stream ended with %v", got.err)
			}
			if len(resp.Choices) != c.choices || resp.Model != req.Model || resp.Object != "chat.completion" || !strings.HasPrefix(resp.ID, "chatcmpl-") {
				t.Fatalf("response: %+v", resp)
			}
			if !reflect.DeepEqual(*resp.Usage, *got.usage) {
				t.Errorf("usage differs: complete %+v, stream %+v", *resp.Usage, *got.usage)
			}
			u := resp.Usage
			if u.PromptTokens != PromptTokens(req) || u.TotalTokens != u.PromptTokens+u.CompletionTokens {
				t.Errorf("usage arithmetic: %+v", u)
			}
			if ceiling := req.OutputCeiling(); ceiling > 0 && u.CompletionTokens > ceiling*int64(c.choices) {
				t.Errorf("completion tokens %d exceed the ceiling %d", u.CompletionTokens, ceiling)
			}
			var pieces int64
			for i, ch := range resp.Choices {
				text := ch.Message.Content.String()
				if text != got.text[i] || ch.FinishReason != got.finish[i] || ch.Index != i {
					t.Errorf("choice %d: complete %q/%s, stream %q/%s", i, text, ch.FinishReason, got.text[i], got.finish[i])
				}
				if again.Choices[i].Message.Content.String() != text {
					t.Errorf("choice %d not deterministic", i)
				}
				if ceiling := req.OutputCeiling(); ceiling > 0 && int64(len(Pieces(text))) > ceiling {
					t.Errorf("choice %d has %d pieces over ceiling %d", i, len(Pieces(text)), ceiling)
				}
				pieces += int64(len(Pieces(text)))
				if len(ch.Message.ToolCalls) > 0 {
					tc := ch.Message.ToolCalls[0]
					st := got.tool[i]
					if tc.ID != st.ID || tc.Function.Name != st.Function.Name || tc.Function.Arguments != st.Function.Arguments || !ch.Message.Content.IsNull {
						t.Errorf("tool call: complete %+v, stream %+v", tc, st)
					}
				}
			}
			if c.wantTool == "" && (pieces != u.CompletionTokens || int64(got.contentChunks) != u.CompletionTokens) {
				t.Errorf("completion tokens %d, pieces %d, content chunks %d", u.CompletionTokens, pieces, got.contentChunks)
			}
			ch := resp.Choices[0]
			if c.exact && ch.Message.Content.String() != c.wantText {
				t.Errorf("text %q, want %q", ch.Message.Content.String(), c.wantText)
			}
			if c.wantFinish != "" && ch.FinishReason != c.wantFinish {
				t.Errorf("finish %q, want %q", ch.FinishReason, c.wantFinish)
			}
			if c.wantTool != "" {
				if len(ch.Message.ToolCalls) != 1 || ch.Message.ToolCalls[0].Function.Name != c.wantTool || ch.Message.ToolCalls[0].Function.Arguments != "{}" ||
					ch.Message.ToolCalls[0].Type != "function" || !strings.HasPrefix(ch.Message.ToolCalls[0].ID, "call_") {
					t.Errorf("tool calls %+v", ch.Message.ToolCalls)
				}
				if u.CompletionTokens != int64(len(Pieces(c.wantTool))+2) {
					t.Errorf("tool call tokens %d", u.CompletionTokens)
				}
			}
		})
	}
}

func TestChunking(t *testing.T) {
	m := newMock(t, Options{Models: map[string]Model{"exact": {Quality: 1}}})
	req := mustRequest(t, `{"model":"exact","messages":[{"role":"user","content":"Answer: Streaming splits text, roughly."}]}`)
	s, err := m.Stream(context.Background(), &provider.Call{Request: req})
	if err != nil {
		t.Fatal(err)
	}
	var deltas []string
	for {
		c, err := s.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, cc := range c.Choices {
			if cc.Delta.Content != nil {
				deltas = append(deltas, *cc.Delta.Content)
			}
		}
	}
	want := []string{"", "Stre", "amin", "g", " spli", "ts", " text", ",", " roug", "hly", "."}
	if !reflect.DeepEqual(deltas, want) {
		t.Errorf("deltas %q, want %q", deltas, want)
	}
}

func TestFaults(t *testing.T) {
	m := newMock(t, Options{
		FailWith:      map[string]int{"busy": 429, "broken": 500, "gone": 503},
		FailMidStream: map[string]int{"flaky": 2},
		DropMidStream: map[string]int{"dropper": 3, "instant-drop": 0},
	})
	ctx := context.Background()
	call := func(model string) *provider.Call {
		return &provider.Call{Request: &chat.Request{Model: model, Messages: []chat.Message{user("Hello")}}}
	}
	before := []struct {
		model     string
		status    int
		typ       string
		retry     time.Duration
		retryable bool
	}{
		{"busy", 429, "rate_limit_exceeded", time.Second, true},
		{"broken", 500, "server_error", 0, true},
		{"gone", 503, "server_error", time.Second, true},
	}
	for _, c := range before {
		_, errC := m.Complete(ctx, call(c.model))
		_, errS := m.Stream(ctx, call(c.model))
		for _, err := range []error{errC, errS} {
			pe, ok := provider.AsError(err)
			if !ok || pe.StatusCode != c.status || pe.Type != c.typ || pe.RetryAfter != c.retry || pe.Retryable() != c.retryable || pe.Provider != Name {
				t.Errorf("%s: got %#v", c.model, err)
			}
		}
	}
	if _, err := m.Complete(ctx, call("mock-large")); err != nil {
		t.Errorf("a fault leaked to another model: %v", err)
	}
	mid := []struct {
		model  string
		chunks int
		typ    string
		cause  error
	}{
		{"flaky", 2, typeServerError, nil},
		{"dropper", 3, typeStreamInterrupted, io.ErrUnexpectedEOF},
		{"instant-drop", 0, typeStreamInterrupted, io.ErrUnexpectedEOF},
	}
	for _, c := range mid {
		s, err := m.Stream(ctx, call(c.model))
		if err != nil {
			t.Fatal(err)
		}
		got := collect(t, s)
		pe, ok := provider.AsError(got.err)
		if !ok || pe.Type != c.typ || pe.StatusCode != http.StatusOK || got.chunks != c.chunks || got.usage != nil {
			t.Errorf("%s: %d chunks then %#v", c.model, got.chunks, got.err)
		}
		if c.cause != nil && !errors.Is(got.err, c.cause) {
			t.Errorf("%s: cause %v", c.model, got.err)
		}
		if _, again := s.Recv(); again != got.err {
			t.Errorf("%s: error not sticky", c.model)
		}
	}
}

func TestInvalidRequests(t *testing.T) {
	m := newMock(t, Options{})
	for _, js := range []string{
		`{"model":"","messages":[{"role":"user","content":"x"}]}`,
		`{"model":"m","messages":[]}`,
		`{"model":"m","messages":[{"role":"user","content":"x"}],"n":0}`,
		`{"model":"m","messages":[{"role":"user","content":"x"}],"n":129}`,
		`{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}`,
	} {
		_, err := m.Complete(context.Background(), &provider.Call{Request: mustRequest(t, js)})
		pe, ok := provider.AsError(err)
		if !ok || pe.StatusCode != http.StatusBadRequest || pe.Type != "invalid_request_error" || pe.Retryable() {
			t.Errorf("%s: got %v", js, err)
		}
	}
}

func TestDelaysRespectTheContext(t *testing.T) {
	req := &chat.Request{Model: "mock-large", Messages: []chat.Message{user("Hello")}}
	slowStart := newMock(t, Options{FirstByteDelay: time.Hour})
	slowChunks := newMock(t, Options{ChunkDelay: time.Hour})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, errC := slowStart.Complete(ctx, &provider.Call{Request: req})
	_, errS := slowStart.Stream(ctx, &provider.Call{Request: req})
	_, errCC := slowChunks.Complete(ctx, &provider.Call{Request: req})
	for i, err := range []error{errC, errS, errCC} {
		if pe, ok := provider.AsError(err); !ok || !pe.Timeout || pe.StatusCode != 0 {
			t.Errorf("case %d: got %#v", i, err)
		}
	}

	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	s, err := slowChunks.Stream(ctx2, &provider.Call{Request: req})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatalf("first chunk waits for nothing: %v", err)
	}
	if _, err := s.Recv(); err == nil {
		t.Fatal("second chunk arrived before the delay")
	} else if pe, ok := provider.AsError(err); !ok || !pe.Timeout || pe.StatusCode != http.StatusOK {
		t.Errorf("got %#v", err)
	}

	s, err = slowChunks.Stream(context.Background(), &provider.Call{Request: req})
	if err != nil {
		t.Fatal(err)
	}
	s.Recv()
	s.Close()
	_, err = s.Recv()
	if pe, ok := provider.AsError(err); !ok || pe.Timeout || pe.Type != typeStreamInterrupted || !errors.Is(err, context.Canceled) {
		t.Errorf("Recv after Close: %#v", err)
	}
}

func TestSmallChunkDelayCompletes(t *testing.T) {
	m := newMock(t, Options{ChunkDelay: time.Millisecond, FirstByteDelay: time.Millisecond})
	req := &chat.Request{Model: "mock-large", Messages: []chat.Message{user("Hello")}, MaxTokens: ptr(int64(4))}
	s, err := m.Stream(context.Background(), &provider.Call{Request: req})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, s)
	if got.err != io.EOF || got.usage == nil || got.usage.CompletionTokens > 4 {
		t.Errorf("got %+v", got)
	}
}

func ptr[T any](v T) *T { return &v }
