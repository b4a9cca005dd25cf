package gemini

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

const textStreamChunks = `[
	{"id":"chatcmpl-mK3hZ8XyN4qD1MkP5Y2T8Qw","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
		"choices":[{"index":0,"delta":{"role":"assistant","content":"Red"},"finish_reason":null}]},
	{"id":"chatcmpl-mK3hZ8XyN4qD1MkP5Y2T8Qw","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
		"choices":[{"index":0,"delta":{"content":", yellow and"},"finish_reason":null}]},
	{"id":"chatcmpl-mK3hZ8XyN4qD1MkP5Y2T8Qw","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
		"choices":[{"index":0,"delta":{"content":" blue."},"finish_reason":"stop"}]},
	{"id":"chatcmpl-mK3hZ8XyN4qD1MkP5Y2T8Qw","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
		"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":33,"total_tokens":42,
			"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":27}}}
]`

func TestStreamCompleteStreams(t *testing.T) {
	cases := []struct {
		name, fixture string
		step          int
		want          string
	}{
		{"recorded", "text.sse", 1 << 20, textStreamChunks},
		{"split mid-event", "text.sse", 7, textStreamChunks},
		{"one byte per write", "text.sse", 1, textStreamChunks},
		{"tool calls", "tools.sse", 1 << 20, `[
			{"id":"chatcmpl-Xv3hZ_2aJ4qD1MkPqZ2T8Qw","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
				"choices":[{"index":0,"delta":{"role":"assistant","content":"Let me check both cities."},"finish_reason":null}]},
			{"id":"chatcmpl-Xv3hZ_2aJ4qD1MkPqZ2T8Qw","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
				"choices":[{"index":0,"delta":{"tool_calls":[
					{"index":0,"id":"call_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
					{"index":1,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
				"finish_reason":"tool_calls"}]},
			{"id":"chatcmpl-Xv3hZ_2aJ4qD1MkPqZ2T8Qw","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
				"choices":[],"usage":{"prompt_tokens":84,"completion_tokens":36,"total_tokens":120}}]`},
		{"keep-alive comments", "keepalive.sse", 5, `[
			{"id":"chatcmpl-ka-1","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
				"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]},
			{"id":"chatcmpl-ka-1","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
				"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]},
			{"id":"chatcmpl-ka-1","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
				"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}]`},
		{"blocked prompt", "blocked.sse", 1 << 20, `[
			{"id":"chatcmpl-blk-2","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
				"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":"content_filter"}]},
			{"id":"chatcmpl-blk-2","object":"chat.completion.chunk","created":1773480413,"model":"gemini-2.5-flash",
				"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":0,"total_tokens":12}}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, call, rec := serve(t, sseHandler(fixture(t, "streams/"+c.fixture), c.step))
			s, err := p.Stream(context.Background(), call)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			chunks, err := drain(t, s)
			if err != io.EOF {
				t.Fatalf("stream ended with %v, want io.EOF", err)
			}
			assertJSON(t, chunks, c.want)
			if _, err := s.Recv(); err != io.EOF {
				t.Errorf("Recv after the end = %v, want io.EOF", err)
			}
			r := rec.last(t)
			if r.Path != "/v1beta/models/gemini-2.5-flash:streamGenerateContent" || r.RawQuery != "alt=sse" {
				t.Errorf("request went to %s?%s", r.Path, r.RawQuery)
			}
			if r.Header.Get("Accept") != "text/event-stream" {
				t.Errorf("Accept = %q", r.Header.Get("Accept"))
			}
			assertKeyOnlyInHeader(t, r)
		})
	}
}

func TestStreamBroken(t *testing.T) {
	text := fixture(t, "streams/text.sse")
	firstEvent := text[:bytes.Index(text, []byte("\r\n\r\n"))+4]
	cases := []struct {
		name       string
		handler    http.HandlerFunc
		wantChunks int
		check      func(t *testing.T, err error)
	}{
		{"error event mid-stream", sseHandler(fixture(t, "streams/error_mid.sse"), 1<<20), 1, func(t *testing.T, err error) {
			pe, ok := provider.AsError(err)
			if !ok || pe.StatusCode != 503 || pe.Type != "UNAVAILABLE" || pe.Message != "The model is overloaded. Please try again later." || !pe.Retryable() {
				t.Fatalf("got %#v", err)
			}
		}},
		{"clean end without a finish reason", sseHandler(fixture(t, "streams/no_finish.sse"), 1<<20), 2, wantInterrupted},
		{"connection dropped mid-event", hijackHandler(text[:len(firstEvent)+40]), 1, wantInterrupted},
		{"connection dropped between events", hijackHandler(firstEvent), 1, wantInterrupted},
		{"malformed event", sseHandler([]byte("data: {\"candidates\": [\n\n"), 1<<20), 0, func(t *testing.T, err error) {
			pe, ok := provider.AsError(err)
			if !ok || pe.Type != "invalid_response" || pe.StatusCode != 200 {
				t.Fatalf("got %#v", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, call, _ := serve(t, c.handler)
			s, err := p.Stream(context.Background(), call)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			chunks, err := drain(t, s)
			if len(chunks) != c.wantChunks {
				t.Errorf("got %d chunks before the error, want %d", len(chunks), c.wantChunks)
			}
			for _, ch := range chunks {
				if ch.Usage != nil {
					t.Errorf("broken stream reported usage %+v", ch.Usage)
				}
			}
			c.check(t, err)
			if _, again := s.Recv(); again != err {
				t.Errorf("Recv after the error = %v, want the same error", again)
			}
		})
	}
}

func wantInterrupted(t *testing.T, err error) {
	t.Helper()
	pe, ok := provider.AsError(err)
	if !ok || pe.StatusCode != http.StatusOK || pe.Type != "stream_interrupted" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %#v, want stream_interrupted wrapping io.ErrUnexpectedEOF", err)
	}
}

func TestSlowFirstByteTimesOut(t *testing.T) {
	for _, streaming := range []bool{false, true} {
		p, call, _ := serve(t, stallHandler)
		ctx := withTimeout(t, 50*time.Millisecond)
		var err error
		if streaming {
			_, err = p.Stream(ctx, call)
		} else {
			_, err = p.Complete(ctx, call)
		}
		pe, ok := provider.AsError(err)
		if !ok || !pe.Timeout || pe.StatusCode != 0 || !pe.Retryable() {
			t.Fatalf("streaming=%v: got %#v, want a timeout", streaming, err)
		}
		if strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), testKey) {
			t.Errorf("error names the upstream or key: %v", err)
		}
	}
}

func TestStreamCloseIsIdempotent(t *testing.T) {
	p, call, _ := serve(t, sseHandler(fixture(t, "streams/text.sse"), 1<<20))
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
		t.Fatal(err)
	}
	if _, err := s.Recv(); err == nil || err == io.EOF {
		t.Fatalf("Recv after Close = %v, want an error", err)
	}
}

// BenchmarkStream decodes a recorded stream of 200 text events.
func BenchmarkStream(b *testing.B) {
	text := fixture(b, "streams/text.sse")
	events := bytes.SplitAfter(text, []byte("\r\n\r\n"))
	var data []byte
	for range 200 {
		data = append(data, events[1]...)
	}
	data = append(data, events[2]...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		s := &stream{ctx: ctx, cancel: cancel, body: io.NopCloser(nil), events: sse.NewReader(bytes.NewReader(data)),
			model: "gemini-2.5-flash", choices: make(map[int]*choiceState)}
		n := 0
		for {
			_, err := s.Recv()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 202 {
			b.Fatalf("got %d chunks", n)
		}
		cancel()
	}
}
