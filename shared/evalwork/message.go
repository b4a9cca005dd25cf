package evalwork

import (
	"encoding/json"
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// ChunkSize is how many items one message carries: small enough that a
// chunk finishes well within a function's timeout, large enough to spare
// SQS round trips.
const ChunkSize = 5

// Message is one chunk of a run's items. It carries references only; the
// text stays sealed in the org's partitions.
type Message struct {
	V         int    `json:"v"`
	Org       string `json:"org"`
	Workspace string `json:"workspace"`
	Run       string `json:"run"`
	Items     []Ref  `json:"items"`
}

// Ref is one item of a chunk: its index in the run and its reference in
// the run's source (a dataset position, a trace key, a shadow sample).
type Ref struct {
	Index int64  `json:"i"`
	Ref   string `json:"r"`
}

// Chunks splits a run's item references into messages.
func Chunks(org, ws, run string, refs []string) []Message {
	var out []Message
	for start := 0; start < len(refs); start += ChunkSize {
		m := Message{V: 1, Org: org, Workspace: ws, Run: run}
		for i := start; i < min(start+ChunkSize, len(refs)); i++ {
			m.Items = append(m.Items, Ref{Index: int64(i), Ref: refs[i]})
		}
		out = append(out, m)
	}
	return out
}

// errBadMessage is a message no retry can fix.
var errBadMessage = apperr.New(apperr.Invalid, "bad_message", "the message is not an evaluation chunk")

// Decode parses and checks a message body.
func Decode(body string) (Message, error) {
	var m Message
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return Message{}, fmt.Errorf("decode message: %w", errBadMessage)
	}
	if m.V != 1 || !id.Valid(id.Org, m.Org) || !id.Valid(id.Workspace, m.Workspace) || !id.Valid(evalrun.IDPrefix, m.Run) ||
		len(m.Items) == 0 || len(m.Items) > ChunkSize {
		return Message{}, errBadMessage
	}
	for _, r := range m.Items {
		if r.Index < 0 || len(r.Ref) > 512 {
			return Message{}, errBadMessage
		}
	}
	return m, nil
}
