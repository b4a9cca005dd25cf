package score

import "testing"

func TestFamily(t *testing.T) {
	tests := []struct{ model, want string }{
		{"gpt-4o", "gpt"},
		{"gpt-4o-mini", "gpt"},
		{"openai/gpt-4o", "gpt"},
		{"claude-sonnet-4-5", "claude"},
		{"anthropic/claude-3-5-haiku", "claude"},
		{"gemini-2.5-pro", "gemini"},
		{"mock-small", "mock"},
		{"mock-large", "mock"},
		{"loop/mock-small", "mock"},
		{"together/meta-llama/Llama-3-8b", "meta"},
		{"GPT-4o", "gpt"},
		{"o3", "o3"},
		{"anthropic.claude-3-haiku", "anthropic.claude"},
		{"conn/", "conn"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Family(tc.model); got != tc.want {
			t.Errorf("Family(%q) = %q, want %q", tc.model, got, tc.want)
		}
	}
}

func TestDefaultJudgeModel(t *testing.T) {
	tests := []struct {
		name      string
		candidate string
		available []string
		want      string
	}{
		{"other family first", "gpt-4o-mini", []string{"claude-sonnet-4", "gpt-4o"}, "claude-sonnet-4"},
		{"skips same family", "gpt-4o-mini", []string{"gpt-4o", "gpt-4.1", "gemini-2.5-pro"}, "gemini-2.5-pro"},
		{"connection prefixes ignored", "openai/gpt-4o-mini", []string{"azure/gpt-4o", "bedrock/claude-3-haiku"}, "bedrock/claude-3-haiku"},
		{"candidate without prefix", "claude-3-5-haiku", []string{"anthropic/claude-sonnet-4", "openai/gpt-4o"}, "openai/gpt-4o"},
		{"mock sizes are one family: first available", "mock-small", []string{"mock-large", "mock-tiny"}, "mock-large"},
		{"only the candidate itself", "mock-small", []string{"mock-small"}, "mock-small"},
		{"mock with another family", "mock-small", []string{"mock-large", "gpt-4o"}, "gpt-4o"},
		{"empty names skipped", "gpt-4o", []string{"", "gpt-4.1"}, "gpt-4.1"},
		{"nothing available", "gpt-4o", nil, ""},
		{"only empty names", "gpt-4o", []string{""}, ""},
	}
	for _, tc := range tests {
		if got := DefaultJudgeModel(tc.candidate, tc.available); got != tc.want {
			t.Errorf("%s: DefaultJudgeModel(%q, %q) = %q, want %q", tc.name, tc.candidate, tc.available, got, tc.want)
		}
	}
}
