package shadow

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Sample is one sampled live call: what was asked, what the live model
// answered and what that cost. The evaluation engine uses it as an item
// whose baseline output is Output (from Model) and asks a candidate model
// the same Messages.
//
// Messages and Output exist only in memory: the store keeps them sealed.
type Sample struct {
	ID        string
	Workspace string
	Alias     string
	// Model is the "connection/model" target that served the live answer.
	Model string
	// Time is when the call was made; Put takes the store's clock when zero.
	Time time.Time

	Messages []chat.Message
	Output   string

	CostNano         int64
	PromptTokens     int64
	CompletionTokens int64
}

// Key is the sample's reference within its (workspace, alias): the sort
// key that Open and Delete take. Only meaningful once Put assigned the ID.
func (s Sample) Key() string { return sampleSK(s.Time, s.ID) }

// Ref is a listed sample without its text: enough to pick samples, price an
// evaluation from their token counts and open each one later.
type Ref struct {
	ID string
	// Key is what Open and Delete take.
	Key              string
	Model            string
	Time             time.Time
	CostNano         int64
	PromptTokens     int64
	CompletionTokens int64
	// Expires is when the sample stops being held.
	Expires time.Time
}

// document is the sealed part of a sample.
type document struct {
	Messages []chat.Message `json:"messages"`
	Output   string         `json:"output"`
}

// encode writes the document compactly and without HTML escaping (which
// would only grow the sealed size).
func (d document) encode() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// decodeDocument refuses anything encode would not write.
func decodeDocument(plain []byte) (document, bool) {
	var d document
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.DisallowUnknownFields()
	if dec.Decode(&d) != nil || dec.More() {
		return document{}, false
	}
	return d, true
}

// texts calls f with every piece of free text a sample carries (message
// content and parts, names, tool calls, refusals, the output), stopping
// when f returns false. Raw JSON parts (audio, files) are passed as text
// too: a credential can hide anywhere the caller sent.
func (s Sample) texts(f func(string) bool) bool {
	for _, m := range s.Messages {
		if !f(m.Content.Text) || !f(m.Name) || !f(m.ToolCallID) || !f(m.Refusal) {
			return false
		}
		for _, p := range m.Content.Parts {
			if !f(p.Text) || !f(string(p.InputAudio)) || !f(string(p.File)) {
				return false
			}
			if p.ImageURL != nil && !f(p.ImageURL.URL) {
				return false
			}
		}
		for _, tc := range m.ToolCalls {
			if !f(tc.ID) || !f(tc.Function.Name) || !f(tc.Function.Arguments) {
				return false
			}
		}
	}
	return f(s.Output)
}
