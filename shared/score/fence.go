package score

import "strings"

// stripFence returns the body of a Markdown code fence (```json … ``` or
// ``` … ```) when the whole of s, less surrounding whitespace, is one; else s
// trimmed. Models wrap JSON in fences out of habit even when told not to, and
// rejecting that would measure formatting manners rather than the answer.
func stripFence(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "```") || !strings.HasSuffix(s, "```") || len(s) < 6 {
		return s
	}
	body := s[3 : len(s)-3]
	info, rest, ok := strings.Cut(body, "\n")
	if !ok {
		return s // a one-line fence has no body line
	}
	if lang := strings.TrimSpace(info); lang != "" && !strings.EqualFold(lang, "json") {
		return s // a fence of another language is not JSON in disguise
	}
	if strings.Contains(rest, "```") {
		return s // several fences: not a single wrapped value
	}
	return strings.TrimSpace(rest)
}
