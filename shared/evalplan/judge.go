package evalplan

import (
	"context"
	"sort"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// judgePreference lists, per connection kind, the models a default judge
// is picked from, strongest first: a judge should be at least as capable
// as what it grades.
var judgePreference = map[string][]string{
	workspace.KindOpenAI:    {"gpt-4.1", "gpt-4o", "gpt-5-mini"},
	workspace.KindAzure:     {"gpt-4.1", "gpt-4o"},
	workspace.KindAnthropic: {"claude-sonnet-4-5", "claude-haiku-4-5"},
	workspace.KindGemini:    {"gemini-2.5-pro", "gemini-2.5-flash"},
	workspace.KindBedrock:   {"anthropic.claude-sonnet-4-5-20250929-v1:0", "amazon.nova-pro-v1:0"},
	workspace.KindMock:      {"mock-large"},
}

func sortedConnections(conns map[string]workspace.Connection) []workspace.Connection {
	out := make([]workspace.Connection, 0, len(conns))
	for _, c := range conns {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// nopCompleter lets Check and Plan build a judge to validate its settings
// and bound its prompts; it is never called.
type nopCompleter struct{}

func (nopCompleter) Complete(context.Context, *chat.Request) (*chat.Response, error) {
	panic("evalplan: the planning judge is never called")
}
