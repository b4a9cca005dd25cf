package score

import "strings"

// Family returns a model name's family, the part that tells vendors'
// lineages apart: any "connection/" prefix is dropped, then the family is
// the lower-cased text before the first '-' or '/'. "gpt-4o" and
// "openai/gpt-4o-mini" are "gpt"; "claude-sonnet-4" is "claude";
// "gemini-2.5-pro" is "gemini"; "mock-small" and "loop/mock-large" are
// "mock". It is a naming heuristic: one vendor's lines may differ ("gpt"
// and "o3"), and a Bedrock ID such as "anthropic.claude-3-haiku" gives
// "anthropic.claude".
func Family(model string) string {
	if _, rest, ok := strings.Cut(model, "/"); ok && rest != "" {
		model = rest
	}
	if at := strings.IndexAny(model, "-/"); at >= 0 {
		model = model[:at]
	}
	return strings.ToLower(model)
}

// DefaultJudgeModel picks the judge for evaluating candidateModel: the first
// of available (in the caller's order of preference) whose Family differs
// from the candidate's, because a judge tends to favour answers written in
// its own family's style. When every available model shares the
// candidate's family, or is the candidate itself, it returns the first
// available one anyway, accepting that bias over having no judge; callers
// that must avoid it check Family of the result. It returns "" only when
// available holds no non-empty name.
func DefaultJudgeModel(candidateModel string, available []string) string {
	fam := Family(candidateModel)
	first := ""
	for _, m := range available {
		if m == "" {
			continue
		}
		if first == "" {
			first = m
		}
		if Family(m) != fam {
			return m
		}
	}
	return first
}
