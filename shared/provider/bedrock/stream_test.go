package bedrock

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
)

const chunkHead = `"id":"chatcmpl-` + testRequestID + `","object":"chat.completion.chunk","created":1773480413,"model":"` + testModel + `"`

const textStreamChunks = `[
	{` + chunkHead + `,"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]},
	{` + chunkHead + `,"choices":[{"index":0,"delta":{"content":"Red"},"finish_reason":null}]},
	{` + chunkHead + `,"choices":[{"index":0,"delta":{"content":", yellow and"},"finish_reason":null}]},
	{` + chunkHead + `,"choices":[{"index":0,"delta":{"content":" blue."},"finish_reason":null}]},
	{` + chunkHead + `,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]},
	{` + chunkHead + `,"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}
]`

func TestStreamCompleteStreams(t *testing.T) {
	cases := []struct {
		name, fixture string
		step          int
		want          string
	}{
		{"recorded", "text.jsonl", 1 << 20, textStreamChunks},
		{"frames split across writes", "text.jsonl", 13, textStreamChunks},
		{"one byte per write", "text.jsonl", 1, textStreamChunks},
		{"tool use with reasoning", "tools.jsonl", 1 << 20, `[
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"content":"I'll check the weather."},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \"Par"}}]},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"is\"}"}}]},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"tooluse_3vWq8YpJQv2m1kGdXr0aBc","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"city\": \"Oslo\"}"}}]},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]},
			{` + chunkHead + `,"choices":[],"usage":{"prompt_tokens":2410,"completion_tokens":96,"total_tokens":2506,"prompt_tokens_details":{"cached_tokens":2000}}}]`},
		{"unmodelled event skipped", "unmodelled.jsonl", 7, `[
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]},
			{` + chunkHead + `,"choices":[{"index":0,"delta":{},"finish_reason":"length"}]},
			{` + chunkHead + `,"choices":[],"usage":{"prompt_tokens":1027,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":0,"cache_creation_tokens":1024}}}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, call, rec := serve(t, streamHandler(encodeEvents(t, fixture(t, "streams/"+c.fixture)), c.step))
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
			if r.EscapedPath != "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream" {
				t.Errorf("request went to %s", r.EscapedPath)
			}
			assertSigV4(t, r)
			assertNoSecret(t, r)
		})
	}
}

func TestStreamBroken(t *testing.T) {
	text := encodeEvents(t, fixture(t, "streams/text.jsonl"))
	upTo := func(n int, extra int) []byte {
		b := bytes.Join(text[:n], nil)
		return append(b, text[n][:extra]...)
	}
	exception := func(status int, typ, msg string) func(*testing.T, error) {
		return func(t *testing.T, err error) {
			t.Helper()
			pe, ok := provider.AsError(err)
			if !ok || pe.StatusCode != status || pe.Type != typ || pe.Message != msg || pe.Provider != Name {
				t.Fatalf("got %#v", err)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Fatal("secret in error")
			}
		}
	}
	cases := []struct {
		name       string
		handler    http.HandlerFunc
		wantChunks int
		retryable  bool
		check      func(*testing.T, error)
	}{
		{"throttling exception", streamHandler(encodeEvents(t, fixture(t, "streams/throttled.jsonl")), 1<<20), 2, true,
			exception(429, "ThrottlingException", "Too many tokens, please wait before trying again.")},
		{"model stream error", streamHandler(encodeEvents(t, fixture(t, "streams/model_stream_error.jsonl")), 1<<20), 2, false,
			exception(424, "ModelStreamErrorException", "Model stream error")},
		{"internal server exception", streamHandler(encodeEvents(t, fixture(t, "streams/internal_error.jsonl")), 5), 1, true,
			exception(500, "InternalServerException", "The server encountered an internal error while processing the request.")},
		{"service unavailable exception", streamHandler(encodeEvents(t, fixture(t, "streams/unavailable.jsonl")), 1<<20), 0, true,
			exception(503, "ServiceUnavailableException", "The service is temporarily unavailable. Try again later.")},
		{"validation exception", streamHandler(encodeEvents(t, fixture(t, "streams/validation.jsonl")), 1<<20), 1, false,
			exception(400, "ValidationException", "The model returned the following errors: Input is too long for requested model.")},
		{"closed without metadata", streamHandler(encodeEvents(t, fixture(t, "streams/no_metadata.jsonl")), 1<<20), 3, false, wantInterrupted},
		{"connection dropped mid-frame", hijackHandler(upTo(2, 20)), 2, false, wantInterrupted},
		{"connection dropped between frames", hijackHandler(upTo(4, 0)), 4, false, wantInterrupted},
		{"connection dropped before metadata", hijackHandler(upTo(6, 0)), 5, false, wantInterrupted},
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
			// When an exception arrives, the SDK stops delivering events at
			// once and may drop the one it was about to hand over; what
			// matters is that nothing extra appears and the error does.
			exception := !errors.Is(err, io.ErrUnexpectedEOF)
			if len(chunks) > c.wantChunks || (!exception && len(chunks) != c.wantChunks) {
				t.Errorf("got %d chunks before the error, want %d", len(chunks), c.wantChunks)
			}
			for _, ch := range chunks {
				if ch.Usage != nil {
					t.Errorf("broken stream reported usage %+v", ch.Usage)
				}
			}
			c.check(t, err)
			if pe, _ := provider.AsError(err); pe.Retryable() != c.retryable {
				t.Errorf("Retryable() = %v", pe.Retryable())
			}
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
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		var err error
		if streaming {
			_, err = p.Stream(ctx, call)
		} else {
			_, err = p.Complete(ctx, call)
		}
		cancel()
		pe, ok := provider.AsError(err)
		if !ok || !pe.Timeout || pe.StatusCode != 0 || !pe.Retryable() {
			t.Fatalf("streaming=%v: got %#v, want a timeout", streaming, err)
		}
		if strings.Contains(err.Error(), testSecret) {
			t.Errorf("secret in error: %v", err)
		}
	}
}

func TestStreamCloseIsIdempotent(t *testing.T) {
	p, call, _ := serve(t, streamHandler(encodeEvents(t, fixture(t, "streams/text.jsonl")), 1<<20))
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

// TestReusedConnectionsKeepStreaming runs many streams over one keep-alive
// client against a server that answers as soon as it has read the request.
// The SDK closes the request body when the headers arrive; unless the body
// hides WriteTo (see boundedClient), net/http can then tear the connection
// down under the stream being read.
func TestReusedConnectionsKeepStreaming(t *testing.T) {
	body := longStream(t, 200)
	p, call, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.Write(body)
	})
	for i := range 60 {
		s, err := p.Stream(context.Background(), call)
		if err != nil {
			t.Fatal(err)
		}
		chunks, err := drain(t, s)
		s.Close()
		if err != io.EOF || len(chunks) != 203 {
			t.Fatalf("stream %d: %d chunks, then %v", i, len(chunks), err)
		}
	}
}

// longStream is a recorded stream with n text deltas.
func longStream(t testing.TB, n int) []byte {
	frames := encodeEvents(t, fixture(t, "streams/text.jsonl"))
	body := bytes.Clone(frames[0])
	for range n {
		body = append(body, frames[1]...)
	}
	return append(body, bytes.Join(frames[4:], nil)...)
}

// BenchmarkStream decodes a recorded ConverseStream of 200 text deltas
// served by a loopback server, SDK event stream decoding included.
func BenchmarkStream(b *testing.B) {
	body := longStream(b, 200)
	srv := newBenchServer(b, body)
	p := New(srv.Client())
	call := benchCall(srv.URL)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := p.Stream(context.Background(), call)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := s.Recv()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatalf("after %d chunks: %v", n, err)
			}
			n++
		}
		s.Close()
		if n != 203 {
			b.Fatalf("got %d chunks", n)
		}
	}
}
