package mock

import (
	"fmt"
	"math"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

func user(text string) chat.Message {
	return chat.Message{Role: chat.RoleUser, Content: chat.TextContent(text)}
}

func newMock(t testing.TB, opts Options) *Mock {
	t.Helper()
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCorrect(t *testing.T) {
	cases := []struct {
		name string
		msgs []chat.Message
		want string
	}{
		{"marker", []chat.Message{user("What is 6*7?\nAnswer: 42")}, "42"},
		{"last marker wins", []chat.Message{user("Answer: 1\nAnswer: 2")}, "2"},
		{"marker line only", []chat.Message{user("Q? Answer:  Paris \nexplain briefly")}, "Paris"},
		{"last user message only", []chat.Message{user("Answer: old"), {Role: chat.RoleAssistant, Content: chat.TextContent("old")}, user("and now?")}, ""},
		{"marker in parts", []chat.Message{{Role: chat.RoleUser, Content: chat.Content{IsParts: true, Parts: []chat.Part{{Type: "text", Text: "Capital? "}, {Type: "text", Text: "Answer: Oslo"}}}}}, "Oslo"},
	}
	for _, c := range cases {
		got := Correct(c.msgs)
		if c.want == "" {
			if got == "" || got != Correct(c.msgs) {
				t.Errorf("%s: canned answer %q is empty or unstable", c.name, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s: got %q want %q", c.name, got, c.want)
		}
	}
	if Correct([]chat.Message{user("a")}) == Correct([]chat.Message{user("b")}) &&
		Correct([]chat.Message{user("c")}) == Correct([]chat.Message{user("d")}) {
		t.Error("canned answers do not depend on the messages")
	}
}

func TestAnswerIsDeterministic(t *testing.T) {
	m1, m2 := newMock(t, Options{}), newMock(t, Options{})
	for _, model := range []string{"mock-large", "mock-medium", "mock-small", "mock-tiny", "other"} {
		for i := range 20 {
			msgs := []chat.Message{user(fmt.Sprintf("question %d", i))}
			if a, b := m1.Answer(model, msgs), m2.Answer(model, msgs); a != b || a == "" {
				t.Fatalf("%s: %q vs %q", model, a, b)
			}
		}
	}
}

func TestQualityDecidesCorrectness(t *testing.T) {
	m := newMock(t, Options{Models: map[string]Model{"never": {Quality: 0}, "always": {Quality: 1}}})
	const prompts = 2000
	cases := []struct {
		model   string
		quality float64
	}{
		{"mock-large", 0.95},
		{"mock-medium", 0.94},
		{"mock-small", 0.80},
		{"mock-tiny", 0.50},
		{"always", 1},
		{"never", 0},
		{"unlisted-model", DefaultQuality},
	}
	for _, c := range cases {
		right := 0
		for i := range prompts {
			msgs := []chat.Message{user(fmt.Sprintf("What is %d + %d?\nAnswer: %d", i, i, 2*i))}
			got := m.Answer(c.model, msgs)
			if got == Correct(msgs) {
				right++
			} else if got == "" {
				t.Fatalf("%s: empty wrong answer", c.model)
			}
		}
		// The draws are fixed by the hashes, so this bound is exact for
		// these prompts, not a flaky statistical test.
		rate := float64(right) / prompts
		if math.Abs(rate-c.quality) > 0.03 {
			t.Errorf("%s: correct %.3f of the time, quality %.2f", c.model, rate, c.quality)
		}
	}
}

// TestMistakesNest checks the common random numbers of correctness: a
// request a better model misses is missed by every worse one, models of
// equal quality agree request by request, and each model's rate of correct
// answers still matches its Quality.
func TestMistakesNest(t *testing.T) {
	m := newMock(t, Options{Models: map[string]Model{"medium-twin": {Quality: 0.94}}})
	const prompts = 2000
	// Ordered from best to worst; each must be right whenever the next is.
	ladder := []struct {
		model   string
		quality float64
	}{
		{"mock-large", 0.95},
		{"mock-medium", 0.94},
		{"mock-small", 0.80},
		{"mock-tiny", 0.50},
	}
	right := make([]int, len(ladder))
	differentWrong := 0
	for i := range prompts {
		msgs := []chat.Message{user(fmt.Sprintf("Ticket %d: which queue?\nAnswer: queue-%d", i, i))}
		correct := Correct(msgs)
		ok := make([]bool, len(ladder))
		for k, l := range ladder {
			ok[k] = m.Answer(l.model, msgs) == correct
			if ok[k] {
				right[k]++
			}
		}
		for k := 1; k < len(ladder); k++ {
			if ok[k] && !ok[k-1] {
				t.Fatalf("prompt %d: %s is right but %s is wrong", i, ladder[k].model, ladder[k-1].model)
			}
		}
		if twin := m.Answer("medium-twin", msgs) == correct; twin != ok[1] {
			t.Fatalf("prompt %d: equal-quality models disagree (mock-medium %v, twin %v)", i, ok[1], twin)
		}
		if !ok[2] && m.Answer("mock-small", msgs) != m.Answer("mock-tiny", msgs) {
			differentWrong++
		}
	}
	for k, l := range ladder {
		rate := float64(right[k]) / prompts
		if math.Abs(rate-l.quality) > 0.03 {
			t.Errorf("%s: correct %.3f of the time, quality %.2f", l.model, rate, l.quality)
		}
	}
	if differentWrong == 0 {
		t.Error("wrong answers do not depend on the model")
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	cases := []Options{
		{Models: map[string]Model{"m": {Quality: 1.5}}},
		{Models: map[string]Model{"m": {Quality: -0.1}}},
		{Models: map[string]Model{"m": {Quality: math.NaN()}}},
		{FailWith: map[string]int{"m": 200}},
		{FailMidStream: map[string]int{"m": -1}},
		{DropMidStream: map[string]int{"m": -1}},
		{ChunkDelay: -1},
	}
	for i, o := range cases {
		if _, err := New(o); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
}

func TestModelsList(t *testing.T) {
	m := newMock(t, Options{Models: map[string]Model{"gpt-4o-mini": {Quality: 0.9}}})
	got := m.Models()
	want := []string{"gpt-4o-mini", "mock-large", "mock-medium", "mock-small", "mock-tiny"}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, md := range got {
		if md.ID != want[i] || md.Object != "model" || md.Created != modelsCreated || md.OwnedBy == "" {
			t.Errorf("model %d: %+v", i, md)
		}
	}
}
