package score

import "testing"

func TestStripFence(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"json fence", "```json\n{\"a\":1}\n```", `{"a":1}`},
		{"upper-case tag", "```JSON\n[1]\n```", "[1]"},
		{"bare fence", "```\n{}\n```", "{}"},
		{"surrounding space", "  \n```json\n{}\n```\n ", "{}"},
		{"no fence", ` {"a":1} `, `{"a":1}`},
		{"other language kept", "```python\nx = 1\n```", "```python\nx = 1\n```"},
		{"one-line fence kept", "```{}```", "```{}```"},
		{"two fences kept", "```json\n{}\n```\n```json\n{}\n```", "```json\n{}\n```\n```json\n{}\n```"},
		{"unclosed fence kept", "```json\n{}", "```json\n{}"},
		{"prose around kept", "Here:\n```json\n{}\n```", "Here:\n```json\n{}\n```"},
		{"empty", "", ""},
		{"just backticks", "``````", "``````"},
	}
	for _, tc := range tests {
		if got := stripFence(tc.in); got != tc.want {
			t.Errorf("%s: stripFence(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
