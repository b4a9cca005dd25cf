package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

// collected is what a consumer assembles from a stream.
type collected struct {
	chunks   []*chat.Chunk
	text     string
	finish   string
	toolName string
	toolArgs string
	usage    *chat.Usage
	usageAt  int // index of the chunk carrying usage
	err      error
}

// drain reads s to the end and checks the invariants every stream keeps.
func drain(t *testing.T, s provider.Stream) collected {
	t.Helper()
	var c collected
	c.usageAt = -1
	for {
		ch, err := s.Recv()
		if err != nil {
			c.err = err
			break
		}
		c.chunks = append(c.chunks, ch)
		if ch.Object != "chat.completion.chunk" {
			t.Errorf("object %q", ch.Object)
		}
		first := c.chunks[0]
		if ch.ID != first.ID || ch.Created != first.Created || ch.Model != first.Model || ch.ID == "" || ch.Created == 0 || ch.Model == "" {
			t.Errorf("chunk identity changed: %s/%d/%s vs %s/%d/%s", ch.ID, ch.Created, ch.Model, first.ID, first.Created, first.Model)
		}
		if ch.Usage != nil {
			if c.usage != nil {
				t.Error("usage emitted twice")
			}
			if len(ch.Choices) != 0 {
				t.Error("usage on a chunk with choices")
			}
			c.usage, c.usageAt = ch.Usage, len(c.chunks)-1
		}
		for _, cc := range ch.Choices {
			if cc.Delta.Content != nil {
				c.text += *cc.Delta.Content
			}
			for _, tc := range cc.Delta.ToolCalls {
				c.toolName += tc.Function.Name
				c.toolArgs += tc.Function.Arguments
			}
			if cc.FinishReason != nil {
				c.finish = *cc.FinishReason
			}
		}
	}
	if again, err := s.Recv(); again != nil || err != c.err {
		t.Errorf("Recv after the end: %v, %v (first %v)", again, err, c.err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Error("second Close:", err)
	}
	return c
}

func TestStreamFixtures(t *testing.T) {
	cases := []struct {
		fixture   string
		wantID    string
		wantModel string
		wantText  string
		wantTool  string
		wantArgs  string
		finish    string
		usage     chat.Usage
	}{
		{"stream_openai.sse", "chatcmpl-BZrMkqW4hXzYq0x5Tq1vB8yJ2aN7c", "gpt-4o-mini-2024-07-18", "Hello! How can I help you today?", "", "", chat.FinishStop,
			chat.Usage{PromptTokens: 1290, CompletionTokens: 9, TotalTokens: 1299, PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: 1152}}},
		{"stream_tool_calls.sse", "chatcmpl-C1aQ0dVv2lNq8z7rQm3Wc6yHkTf5u", "gpt-4o-2024-08-06", "", "get_weather", `{"city":"Paris"}`, chat.FinishToolCalls,
			chat.Usage{PromptTokens: 82, CompletionTokens: 16, TotalTokens: 98}},
		{"stream_ollama.sse", "chatcmpl-593", "llama3.2", "The sky is blue.", "", "", chat.FinishStop,
			chat.Usage{PromptTokens: 31, CompletionTokens: 5, TotalTokens: 36}},
		{"stream_groq.sse", "chatcmpl-bc4c2b5f-ad1c-4152-831f-a0885de968a3", "llama-3.3-70b-versatile", "Hello World!", "", "", chat.FinishStop,
			chat.Usage{PromptTokens: 38, CompletionTokens: 4, TotalTokens: 42}},
		{"stream_azure.sse", "chatcmpl-CBqCPk1RqzGJ5rBCXEj3Z0hXo3kmN", "gpt-4o-2024-11-20", "Hi", "", "", chat.FinishStop,
			chat.Usage{PromptTokens: 14, CompletionTokens: 2, TotalTokens: 16}},
		{"stream_keepalive.sse", "gen-1747912600-Xk2m9QzP4rT7vW1yB3nC", "openai/gpt-4o-mini", "Pong", "", "", chat.FinishLength,
			chat.Usage{PromptTokens: 10, CompletionTokens: 2, TotalTokens: 12}},
		{"stream_vllm_continuous.sse", "chatcmpl-6c0e1b1f2a9e4a6f8d7c5b4a3f2e1d0c", "Qwen/Qwen2.5-7B-Instruct", "Four.", "", "", chat.FinishStop,
			chat.Usage{PromptTokens: 20, CompletionTokens: 2, TotalTokens: 22}},
	}
	for _, c := range cases {
		for _, mode := range []writeMode{whole, bytewise} {
			t.Run(c.fixture, func(t *testing.T) {
				u := newUpstream(t, reply{header: sseHeader, body: fixture(t, c.fixture), mode: mode})
				s, err := New(u.Client(), Options{}).Stream(context.Background(), newCall(u.URL))
				if err != nil {
					t.Fatal(err)
				}
				got := drain(t, s)
				if got.err != io.EOF {
					t.Fatalf("stream ended with %v, want io.EOF", got.err)
				}
				if got.chunks[0].ID != c.wantID || got.chunks[0].Model != c.wantModel {
					t.Errorf("identity %s / %s", got.chunks[0].ID, got.chunks[0].Model)
				}
				if got.text != c.wantText || got.finish != c.finish || got.toolName != c.wantTool || got.toolArgs != c.wantArgs {
					t.Errorf("assembled text %q finish %q tool %q(%s)", got.text, got.finish, got.toolName, got.toolArgs)
				}
				if got.usageAt != len(got.chunks)-1 {
					t.Errorf("usage at chunk %d of %d, want the last", got.usageAt, len(got.chunks))
				}
				gb, _ := json.Marshal(got.usage)
				wb, _ := json.Marshal(c.usage)
				if string(gb) != string(wb) {
					t.Errorf("usage %s, want %s", gb, wb)
				}
			})
		}
	}
}

func TestStreamBreaks(t *testing.T) {
	openai := fixture(t, "stream_openai.sse")
	ollama := fixture(t, "stream_ollama.sse")
	cases := []struct {
		name      string
		handler   http.HandlerFunc
		wantText  string
		wantUsage bool
		wantType  string
		wantCause error
	}{
		{name: "error event mid-stream",
			handler:  serveBody(fixture(t, "stream_error.sse")),
			wantText: "Hello!", wantType: "server_error"},
		{name: "vllm flat error event",
			handler:  serveBody(fixture(t, "stream_vllm_error.sse")),
			wantType: "BadRequestError"},
		{name: "clean end without [DONE]",
			handler:  serveBody(fixture(t, "stream_no_done.sse")),
			wantText: "Hello! How", wantType: typeStreamInterrupted, wantCause: io.ErrUnexpectedEOF},
		{name: "malformed chunk",
			handler:  serveBody(fixture(t, "stream_malformed.sse")),
			wantText: "Hello", wantType: typeInvalidResponse},
		{name: "connection dropped mid-event",
			handler:  dropAfter(openai, bytes.Index(openai, []byte(`" help"`))),
			wantText: "Hello! How can I", wantType: typeStreamInterrupted, wantCause: io.ErrUnexpectedEOF},
		{name: "dropped after usage, before [DONE]",
			handler:  dropAfter(ollama, bytes.Index(ollama, []byte("data: [DONE]"))),
			wantText: "The sky is blue.", wantUsage: true, wantType: typeStreamInterrupted, wantCause: io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := newHandlerUpstream(t, c.handler)
			s, err := New(u.Client(), Options{}).Stream(context.Background(), newCall(u.URL))
			if err != nil {
				t.Fatal(err)
			}
			got := drain(t, s)
			pe, ok := provider.AsError(got.err)
			if !ok || got.err == io.EOF {
				t.Fatalf("stream ended with %v", got.err)
			}
			if pe.Type != c.wantType || pe.StatusCode != http.StatusOK || pe.Message == "" {
				t.Errorf("error %+v", pe)
			}
			if c.wantCause != nil && !errors.Is(pe, c.wantCause) {
				t.Errorf("cause %v, want %v", pe.Err, c.wantCause)
			}
			if got.text != c.wantText {
				t.Errorf("received %q before the break, want %q", got.text, c.wantText)
			}
			if (got.usage != nil) != c.wantUsage {
				t.Errorf("usage %+v, want present=%v", got.usage, c.wantUsage)
			}
		})
	}
}

// serveBody answers 200 with an SSE body and ends the response.
func serveBody(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(body)
	}
}

// stallAfterFirstEvent sends one event and then waits for the client to go,
// reporting on gone when it has.
func stallAfterFirstEvent(t *testing.T, gone chan<- struct{}) http.HandlerFunc {
	first, _, _ := bytes.Cut(fixture(t, "stream_openai.sse"), []byte("\n\n"))
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(append(first, "\n\n"...))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		close(gone)
	}
}

func TestStreamDeadlineMidStream(t *testing.T) {
	gone := make(chan struct{})
	u := newHandlerUpstream(t, stallAfterFirstEvent(t, gone))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	s, err := New(u.Client(), Options{}).Stream(ctx, newCall(u.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	_, err = s.Recv()
	pe, ok := provider.AsError(err)
	if !ok || !pe.Timeout {
		t.Fatalf("got %#v, want a timeout", err)
	}
}

func TestStreamCloseCancelsUpstream(t *testing.T) {
	gone := make(chan struct{})
	u := newHandlerUpstream(t, stallAfterFirstEvent(t, gone))
	s, err := New(u.Client(), Options{}).Stream(context.Background(), newCall(u.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("upstream request still open after Close")
	}
	if _, err := s.Recv(); err == nil || err == io.EOF {
		t.Errorf("Recv after Close: %v", err)
	}
}

func BenchmarkStream(b *testing.B) {
	data := fixture(b, "stream_openai.sse")
	p := New(newUpstream(b, reply{}).Client(), Options{}) // the client is unused: the body is fed directly
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		body := io.NopCloser(bytes.NewReader(data))
		s := &stream{p: p, ctx: ctx, cancel: cancel, body: body, events: sse.NewReader(body), reqModel: "gpt-4o-mini"}
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
