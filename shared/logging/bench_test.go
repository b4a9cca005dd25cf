package logging

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// BenchmarkLogLine measures one access-log line, the gateway's per-request
// log, through the scrubbing handler and, for comparison, through a plain
// slog.JSONHandler.
func BenchmarkLogLine(b *testing.B) {
	handlers := map[string]slog.Handler{
		"scrubbed": NewHandler(io.Discard, nil),
		"plain":    slog.NewJSONHandler(io.Discard, nil),
	}
	for name, h := range handlers {
		b.Run(name, func(b *testing.B) {
			l := slog.New(h).With("function", "gateway", "request_id", "req_0123456789abcdefghjk")
			b.ReportAllocs()
			for b.Loop() {
				l.Info("request",
					"org", "org_0123456789abcdefghjk",
					"workspace", "ws_abcdefghjkmnpqrstvwx",
					"token_id", "tok_0123456789abcdefghjk",
					"method", "POST",
					"path", "/v1/chat/completions",
					"alias", "default-chat",
					"provider", "openai",
					"model", "gpt-4o-mini",
					"status", 200,
					"tokens_in", 1200,
					"tokens_out", 87,
					"cost_micros", 312,
					"latency", 412*time.Millisecond,
					"ttft", 95*time.Millisecond,
				)
			}
		})
	}
}
