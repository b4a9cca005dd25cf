package mock

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math/rand/v2"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// answerMarker introduces the reference answer in a user message.
const answerMarker = "Answer:"

// sentences are the building blocks of canned answers.
var sentences = [...]string{
	"The request was received and processed.",
	"Here is a short answer to your question.",
	"This reply comes from the built-in mock provider.",
	"Results depend on the input you provide.",
	"Nothing in this answer was produced by a real model.",
	"The same question always receives the same reply.",
	"Consider the trade-off between cost and quality.",
	"Smaller models are cheaper but sometimes wrong.",
	"Each response is derived from a hash of the conversation.",
	"Streaming splits this text into small pieces.",
	"Usage is counted from the text itself.",
	"A longer prompt costs more input tokens.",
	"Try asking the question in a different way.",
	"The gateway measures the latency of every call.",
	"Budgets are checked before any provider is called.",
	"That is all there is to say for now.",
}

// Correct returns the reference answer for a conversation: the text after
// the last "Answer:" marker of the last user message, up to the end of its
// line, or else a canned sentence derived from the messages alone, so every
// model agrees on what is correct.
func Correct(msgs []chat.Message) string {
	if ref, ok := reference(msgs); ok {
		return ref
	}
	a, b := seed("", msgs, 0)
	return canned(rand.New(rand.NewPCG(a, b)))
}

// Answer returns the text model gives for msgs (the first choice, before any
// stop sequence or output ceiling applies): a verdict for a judge request,
// else the correct or a wrong answer as the model's Quality draws.
func (m *Mock) Answer(model string, msgs []chat.Message) string {
	return m.answer(model, msgs, 0)
}

// answer is Answer for choice index i; other choices draw independently.
// A request from Tollgate's LLM judge gets a verdict instead (see judge.go).
func (m *Mock) answer(model string, msgs []chat.Message, i int) string {
	if verdict, ok := m.judgeAnswer(model, msgs, i); ok {
		return verdict
	}
	a, b := seed(model, msgs, i)
	r := rand.New(rand.NewPCG(a, b))
	correct := Correct(msgs)
	if r.Float64() < m.quality(model) {
		return correct
	}
	wrong := canned(r)
	if wrong == correct || strings.Contains(wrong, correct) {
		wrong = "I do not know."
	}
	return wrong
}

// reference finds the answer marker in the last user message.
func reference(msgs []chat.Message) (string, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role != chat.RoleUser {
			continue
		}
		text := msgs[i].Content.String()
		at := strings.LastIndex(text, answerMarker)
		if at < 0 {
			return "", false
		}
		ref, _, _ := strings.Cut(text[at+len(answerMarker):], "\n")
		ref = strings.TrimSpace(ref)
		return ref, ref != ""
	}
	return "", false
}

// canned joins one to three sentences chosen by r.
func canned(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = sentences[r.IntN(len(sentences))]
	}
	return strings.Join(parts, " ")
}

// seed hashes the model, the conversation and the choice index into the
// two words that seed a request's random draws.
func seed(model string, msgs []chat.Message, choice int) (uint64, uint64) {
	h := sha256.New()
	field(h, model)
	for _, msg := range msgs {
		field(h, msg.Role)
		field(h, msg.Name)
		field(h, msg.ToolCallID)
		if msg.Content.IsParts {
			for _, p := range msg.Content.Parts {
				field(h, p.Type)
				field(h, p.Text)
				if p.ImageURL != nil {
					field(h, p.ImageURL.URL)
				}
			}
		} else {
			field(h, msg.Content.Text)
		}
		for _, tc := range msg.ToolCalls {
			field(h, tc.ID)
			field(h, tc.Function.Name)
			field(h, tc.Function.Arguments)
		}
	}
	if choice > 0 {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(choice))
		h.Write(n[:])
	}
	sum := h.Sum(nil)
	return binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])
}

// field writes s length-prefixed, so distinct conversations never hash alike
// by shifting text between fields.
func field(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}
