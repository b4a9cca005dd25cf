package openai

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current conversion")

func TestRequestBodyGolden(t *testing.T) {
	cases := []struct {
		golden   string
		input    string
		stream   bool
		metadata bool
	}{
		{"req_chat", "req_chat.json", false, false},
		{"req_tools", "req_tools.json", false, false},
		{"req_multimodal", "req_multimodal.json", false, false},
		{"req_structured", "req_structured.json", false, false},
		{"req_metadata_stripped", "req_metadata.json", false, false},
		{"req_metadata_forwarded", "req_metadata.json", false, true},
		{"req_stream_forces_usage", "req_stream.json", true, false},
		{"req_complete_drops_stream_options", "req_stream.json", false, false},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			var req chat.Request
			if err := json.Unmarshal(fixture(t, c.input), &req); err != nil {
				t.Fatal(err)
			}
			before, _ := json.Marshal(req)
			body, err := requestBody(&req, c.stream, c.metadata)
			if err != nil {
				t.Fatal(err)
			}
			if after, _ := json.Marshal(req); !bytes.Equal(before, after) {
				t.Fatal("conversion modified the caller's request")
			}
			var got bytes.Buffer
			if err := json.Indent(&got, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			path := filepath.Join("testdata", c.golden+".golden.json")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("wire request differs from %s:\n got: %s\nwant: %s", path, got.Bytes(), want)
			}
		})
	}
}

func TestRequestBodyStreamAndMetadataRules(t *testing.T) {
	in := &chat.Request{
		Model:         "m",
		Messages:      []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("x")}},
		StreamOptions: &chat.StreamOptions{IncludeUsage: false},
		Metadata:      map[string]string{"team": "a"},
	}
	cases := []struct {
		name         string
		stream, meta bool
		wantStream   any
		wantOptions  any
		wantMetadata bool
	}{
		{"stream", true, false, true, map[string]any{"include_usage": true}, false},
		{"complete", false, false, nil, nil, false},
		{"complete with metadata", false, true, nil, nil, true},
	}
	for _, c := range cases {
		body, err := requestBody(in, c.stream, c.meta)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if got := m["stream"]; (got == nil) != (c.wantStream == nil) {
			t.Errorf("%s: stream = %v", c.name, got)
		}
		if got, ok := m["stream_options"].(map[string]any); (c.wantOptions == nil) != !ok || (ok && got["include_usage"] != true) {
			t.Errorf("%s: stream_options = %v", c.name, m["stream_options"])
		}
		if _, ok := m["metadata"]; ok != c.wantMetadata {
			t.Errorf("%s: metadata present = %v", c.name, ok)
		}
	}
}

func TestFinishReason(t *testing.T) {
	cases := map[string]string{
		"":               "",
		"stop":           chat.FinishStop,
		"eos":            chat.FinishStop,
		"abort":          chat.FinishStop,
		"length":         chat.FinishLength,
		"max_tokens":     chat.FinishLength,
		"model_length":   chat.FinishLength,
		"tool_calls":     chat.FinishToolCalls,
		"function_call":  chat.FinishToolCalls,
		"content_filter": chat.FinishContentFilter,
	}
	for in, want := range cases {
		if got := finishReason(in); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

func TestReportedUsage(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want *chat.Usage
	}{
		{"absent", `{}`, nil},
		{"plain", `{"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}`,
			&chat.Usage{PromptTokens: 3, CompletionTokens: 4, TotalTokens: 7}},
		{"total missing", `{"usage":{"prompt_tokens":3,"completion_tokens":4}}`,
			&chat.Usage{PromptTokens: 3, CompletionTokens: 4, TotalTokens: 7}},
		{"cached and reasoning", `{"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":2}}}`,
			&chat.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15,
				PromptTokensDetails:     &chat.PromptTokensDetails{CachedTokens: 8},
				CompletionTokensDetails: &chat.CompletionTokensDetails{ReasoningTokens: 2}}},
		{"deepseek cache hits", `{"usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11,"prompt_cache_hit_tokens":6,"prompt_cache_miss_tokens":4}}`,
			&chat.Usage{PromptTokens: 10, CompletionTokens: 1, TotalTokens: 11, PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: 6}}},
		{"groq only", `{"x_groq":{"usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4}}}`,
			&chat.Usage{PromptTokens: 2, CompletionTokens: 2, TotalTokens: 4}},
		{"standard wins over groq", `{"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2},"x_groq":{"usage":{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18}}}`,
			&chat.Usage{PromptTokens: 1, CompletionTokens: 1, TotalTokens: 2}},
	}
	for _, c := range cases {
		var w chunk
		if err := json.Unmarshal([]byte(c.in), &w); err != nil {
			t.Fatal(err)
		}
		got := reportedUsage(w.Usage, w.XGroq)
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(c.want)
		if !bytes.Equal(gb, wb) {
			t.Errorf("%s: got %s want %s", c.name, gb, wb)
		}
	}
}
