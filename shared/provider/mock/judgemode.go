package mock

import (
	"strings"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// judgePrefix opens the system prompt of every request Tollgate's LLM judge
// (shared/score, both rubric and pairwise mode) sends. The mock recognises
// judge requests by it so that `make run` can complete an evaluation with a
// judge scorer offline: without it the mock answers a judge with prose,
// which the judge rightly rejects as unparseable. The mock cannot import
// shared/score to share the constant (score's tests import the mock), so
// the prefix is matched as text; this package's judge tests build real
// judge requests through shared/score, so a change of wording fails them.
const judgePrefix = "You are an impartial evaluator"

// judgeText returns the user message of a judge request: a system (or
// developer) message starting with judgePrefix, ignoring surrounding space
// and case, followed by the user message that carries the material. Any
// other conversation is answered as usual.
func judgeText(msgs []chat.Message) (string, bool) {
	if len(msgs) < 2 {
		return "", false
	}
	first, last := msgs[0], msgs[len(msgs)-1]
	if first.Role != chat.RoleSystem && first.Role != chat.RoleDeveloper || last.Role != chat.RoleUser {
		return "", false
	}
	system := strings.TrimSpace(first.Content.String())
	if len(system) < len(judgePrefix) || !strings.EqualFold(system[:len(judgePrefix)], judgePrefix) {
		return "", false
	}
	return last.Content.String(), true
}
