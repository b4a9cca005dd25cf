package anthropic

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// assembled is what a client rebuilds from a stream's chunks.
type assembled struct {
	text   string
	calls  []chat.ToolCall
	finish string
	usage  *chat.Usage
}

func assemble(t *testing.T, chunks []*chat.Chunk) assembled {
	t.Helper()
	var a assembled
	for i, c := range chunks {
		if c.ID != chunks[0].ID || c.Created != chunks[0].Created || c.Model != chunks[0].Model || c.Object != "chat.completion.chunk" {
			t.Fatalf("chunk %d: id/created/model/object differ from the first chunk: %+v", i, c)
		}
		if c.Usage != nil {
			if len(c.Choices) != 0 || a.usage != nil {
				t.Fatalf("chunk %d: usage must come once, on a chunk without choices", i)
			}
			a.usage = c.Usage
		}
		for _, ch := range c.Choices {
			if ch.Delta.Content != nil {
				a.text += *ch.Delta.Content
			}
			if ch.FinishReason != nil {
				a.finish = *ch.FinishReason
			}
			for _, tc := range ch.Delta.ToolCalls {
				n := *tc.Index
				if n == len(a.calls) {
					a.calls = append(a.calls, chat.ToolCall{ID: tc.ID, Type: tc.Type, Function: chat.FunctionCall{Name: tc.Function.Name}})
				} else if n > len(a.calls) {
					t.Fatalf("chunk %d: tool call index %d skips ahead", i, n)
				}
				a.calls[n].Function.Arguments += tc.Function.Arguments
			}
		}
	}
	return a
}

func TestStreamRecorded(t *testing.T) {
	cases := []struct {
		name      string
		text      string
		calls     []chat.ToolCall
		finish    string
		usage     chat.Usage
		cached    int64
		cacheMade int64
	}{
		{name: "stream_text", text: "Hello! How can I help you today?", finish: chat.FinishStop,
			usage: chat.Usage{PromptTokens: 25, CompletionTokens: 12, TotalTokens: 37}},
		{name: "stream_tool_use", text: "Okay, let me check the weather for San Francisco, CA:", finish: chat.FinishToolCalls,
			calls: []chat.ToolCall{
				{ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Type: "function", Function: chat.FunctionCall{Name: "get_weather", Arguments: `{"location": "San Francisco, CA", "unit": "fahrenheit"}`}},
				{ID: "toolu_01Bq5aXH6dGzPw9tVnC2mLke", Type: "function", Function: chat.FunctionCall{Name: "get_time", Arguments: `{"timezone": "America/Los_Angeles"}`}},
			},
			usage:  chat.Usage{PromptTokens: 472 + 1024 + 2048, CompletionTokens: 89, TotalTokens: 472 + 1024 + 2048 + 89},
			cached: 2048, cacheMade: 1024},
	}
	for _, c := range cases {
		for _, step := range []int{1 << 20, 1} { // whole, then one byte per write
			t.Run(c.name+"/step="+map[bool]string{true: "1", false: "all"}[step == 1], func(t *testing.T) {
				srv := newUpstream(t, serveSSE(fixture(t, c.name+".sse"), step))
				p, call := newProvider(srv)
				s, err := p.Stream(context.Background(), call)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				chunks, err := drain(s)
				if err != io.EOF {
					t.Fatalf("stream ended with %v, want io.EOF", err)
				}
				if _, err := s.Recv(); err != io.EOF {
					t.Fatalf("Recv after the end: %v", err)
				}
				checkGolden(t, c.name+".golden.json", chunks)
				a := assemble(t, chunks)
				if a.text != c.text || a.finish != c.finish {
					t.Errorf("text %q finish %q", a.text, a.finish)
				}
				if len(a.calls) != len(c.calls) {
					t.Fatalf("tool calls: %+v", a.calls)
				}
				for i := range c.calls {
					if a.calls[i] != c.calls[i] {
						t.Errorf("tool call %d: got %+v want %+v", i, a.calls[i], c.calls[i])
					}
				}
				u := a.usage
				if u == nil || u.PromptTokens != c.usage.PromptTokens || u.CompletionTokens != c.usage.CompletionTokens ||
					u.TotalTokens != c.usage.TotalTokens || u.PromptTokensDetails.CachedTokens != c.cached ||
					u.PromptTokensDetails.CacheCreationTokens != c.cacheMade {
					t.Errorf("usage %+v", u)
				}
				if chunks[0].ID == "" || chunks[0].Model != "claude-sonnet-4-5-20250929" || chunks[0].Created != testTime.Unix() {
					t.Errorf("first chunk %+v", chunks[0])
				}
				if r := chunks[0].Choices[0].Delta; r.Role != chat.RoleAssistant || r.Content == nil || *r.Content != "" {
					t.Errorf("first chunk should announce the assistant role: %+v", r)
				}
			})
		}
	}
}

func TestStreamMergesDeltaUsage(t *testing.T) {
	// Newer message_delta events repeat the cumulative input and cache
	// counts; absent fields keep message_start's values.
	body := strings.Replace(string(fixture(t, "stream_tool_use.sse")),
		`"usage":{"output_tokens":89}`, `"usage":{"input_tokens":500,"cache_read_input_tokens":2048,"output_tokens":89}`, 1)
	srv := newUpstream(t, serveSSE([]byte(body), 1<<20))
	p, call := newProvider(srv)
	s, err := p.Stream(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	chunks, err := drain(s)
	if err != io.EOF {
		t.Fatal(err)
	}
	u := assemble(t, chunks).usage
	if u.PromptTokens != 500+2048+1024 || u.CompletionTokens != 89 || u.PromptTokensDetails.CacheCreationTokens != 1024 {
		t.Fatalf("usage %+v %+v", u, u.PromptTokensDetails)
	}
}

func TestStreamErrorEventMidStream(t *testing.T) {
	srv := newUpstream(t, serveSSE(fixture(t, "stream_error.sse"), 7))
	p, call := newProvider(srv)
	s, err := p.Stream(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	chunks, err := drain(s)
	if a := assemble(t, chunks); a.text != "Once upon" {
		t.Errorf("content before the error: %q", a.text)
	}
	pe := providerError(t, err)
	if pe.Type != "overloaded_error" || pe.Message != "Overloaded" || pe.StatusCode != statusOverloaded || !pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
	if _, again := s.Recv(); again != err {
		t.Fatalf("error is not sticky: %v", again)
	}
}

func TestStreamErrorEventFirstIsReturnedFromStream(t *testing.T) {
	srv := newUpstream(t, serveSSE(fixture(t, "stream_error_first.sse"), 1<<20))
	p, call := newProvider(srv)
	s, err := p.Stream(context.Background(), call)
	if s != nil {
		t.Fatal("stream returned alongside an error")
	}
	pe := providerError(t, err)
	if pe.Type != "overloaded_error" || !pe.Retryable() {
		t.Fatalf("got %+v", pe)
	}
}

func TestStreamDropped(t *testing.T) {
	full := fixture(t, "stream_text.sse")
	cut := bytes.Index(full, []byte(`"text":"! How`)) // inside the second text delta
	cases := []struct {
		name    string
		handler func(http.ResponseWriter, *http.Request)
	}{
		{"hijacked mid-event", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.Write(full[:cut])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
		}},
		{"clean close before message_stop", serveSSE(full[:bytes.Index(full, []byte("event: message_delta"))], 1<<20)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newUpstream(t, c.handler)
			p, call := newProvider(srv)
			s, err := p.Stream(context.Background(), call)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			chunks, err := drain(s)
			if err == io.EOF {
				t.Fatal("a dropped stream was reported as complete")
			}
			pe := providerError(t, err)
			if pe.StatusCode != http.StatusOK || pe.Type != "stream_interrupted" || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("got %+v", pe)
			}
			if a := assemble(t, chunks); !strings.HasPrefix(a.text, "Hello") || a.usage != nil {
				t.Fatalf("received so far: %+v", a)
			}
		})
	}
}

func TestStreamSlowFirstByte(t *testing.T) {
	cases := []struct {
		name    string
		handler func(http.ResponseWriter, *http.Request)
	}{
		{"no headers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
		{"headers then silence", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
		{"ping then silence", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "event: ping\ndata: {\"type\": \"ping\"}\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newUpstream(t, c.handler)
			p, call := newProvider(srv)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			s, err := p.Stream(ctx, call)
			if s != nil {
				t.Fatal("stream returned alongside an error")
			}
			pe := providerError(t, err)
			if !pe.Timeout || !pe.Retryable() {
				t.Fatalf("got %+v", pe)
			}
			if strings.Contains(err.Error(), srv.URL) || strings.Contains(err.Error(), testKey) {
				t.Fatalf("error names the upstream or the key: %v", err)
			}
		})
	}
}

func TestStreamTimeoutMidStream(t *testing.T) {
	first := fixture(t, "stream_text.sse")
	first = first[:bytes.Index(first, []byte("event: ping"))]
	srv := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.Write(first)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	p, call := newProvider(srv)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	s, err := p.Stream(ctx, call)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = drain(s)
	if pe := providerError(t, err); !pe.Timeout {
		t.Fatalf("got %+v", pe)
	}
}

func TestStreamMalformedEvent(t *testing.T) {
	cases := map[string]string{
		"bad json": "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\n\n",
		"json delta for a text block": "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\"}}\n\n" +
			"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newUpstream(t, serveSSE([]byte(body), 1<<20))
			p, call := newProvider(srv)
			s, err := p.Stream(context.Background(), call)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, err = drain(s)
			if pe := providerError(t, err); pe.Type != "invalid_response" || pe.StatusCode != http.StatusOK {
				t.Fatalf("got %+v", pe)
			}
		})
	}
}

func TestStreamCloseIsIdempotentAndStops(t *testing.T) {
	full := fixture(t, "stream_text.sse")
	srv := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.Write(full[:bytes.Index(full, []byte("event: ping"))])
		w.(http.Flusher).Flush()
		<-r.Context().Done() // released when the client closes
	})
	p, call := newProvider(srv)
	s, err := p.Stream(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := drain(s); err == nil || err == io.EOF {
		t.Fatalf("Recv after Close: %v", err)
	}
}

func TestStreamRequest(t *testing.T) {
	srv := newUpstream(t, serveSSE(fixture(t, "stream_text.sse"), 1<<20))
	p, call := newProvider(srv)
	s, err := p.Stream(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	r := srv.requests()[0]
	if r.Header.Get("Accept") != "text/event-stream" || !bytes.Contains(r.Body, []byte(`"stream":true`)) {
		t.Fatalf("accept %q body %s", r.Header.Get("Accept"), r.Body)
	}
}

func BenchmarkStream(b *testing.B) {
	data := fixture(b, "stream_tool_use.sse")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		s := newStream(ctx, cancel, io.NopCloser(bytes.NewReader(data)), "m", 0)
		var err error
		for err == nil {
			_, err = s.Recv()
		}
		if err != io.EOF {
			b.Fatal(err)
		}
		s.Close()
	}
}
