package bench

import (
	"strings"
	"testing"
	"time"
)

func TestReadEvents(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantGaps int
		wantErr  string
	}{
		{"three events", "data: {\"a\":1}\n\ndata: {\"a\":2}\n\n: comment\n\ndata: {\"a\":3}\n\ndata: [DONE]\n\n", 2, ""},
		{"CRLF lines", "data: {}\r\n\r\ndata: {}\r\n\r\ndata: [DONE]\r\n\r\n", 1, ""},
		{"no [DONE]", "data: {}\n\ndata: {}\n\n", 0, "without [DONE]"},
		{"error event", "data: {\"error\":{\"message\":\"boom\"}}\n\n", 0, "boom"},
		{"[DONE] alone", "data: [DONE]\n\n", 0, "no data events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := readEvents(strings.NewReader(tt.body), time.Now())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Gaps) != tt.wantGaps || s.TTFB <= 0 || s.Latency < s.TTFB {
				t.Errorf("sample %+v, want %d gaps", s, tt.wantGaps)
			}
		})
	}
}

func TestChatBody(t *testing.T) {
	tests := []struct {
		name   string
		stream bool
		want   string
	}{
		{"non-streamed", false, `{"max_tokens":16,"messages":[{"content":"hello","role":"user"}],"model":"m"}`},
		{"streamed asks for usage", true, `{"max_tokens":16,"messages":[{"content":"hello","role":"user"}],"model":"m","stream":true,"stream_options":{"include_usage":true}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(chatBody("m", 16, tt.stream)); got != tt.want {
				t.Errorf("got %s\nwant %s", got, tt.want)
			}
		})
	}
}
