package mock

import (
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
//
// Whether the answer is correct depends on the request's difficulty, a
// draw every model shares, so models' mistakes nest as on real items: one
// a model misses is missed by every model of lower quality. Which wrong
// answer a model gives is drawn from its own seed, so models err
// differently on the items they miss.
func (m *Mock) answer(model string, msgs []chat.Message, i int) string {
	if verdict, ok := m.judgeAnswer(model, msgs, i); ok {
		return verdict
	}
	correct := Correct(msgs)
	if difficulty(msgs, i) < m.quality(model) {
		return correct
	}
	a, b := seed(model, msgs, i)
	wrong := canned(rand.New(rand.NewPCG(a, b)))
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

// difficulty is choice i's difficulty, uniform in [0,1) and the same for
// every model: a model answers correctly exactly when it is below the
// model's quality (common random numbers).
func difficulty(msgs []chat.Message, i int) float64 {
	a, b := saltedSeed(saltDifficulty, "", msgs, i)
	return rand.New(rand.NewPCG(a, b)).Float64()
}
