package mock

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Judge grading constants. They are fixed so that tests and demo runs can
// predict the grades' ranges.
const (
	// wrongMax is the highest grade of a response that differs from the
	// expected answer: wrong answers get varied low grades in [0, wrongMax].
	wrongMax = 0.4
	// unknownMin is the lowest grade when there is no expected answer to
	// compare with: such responses get varied grades in [unknownMin, 1].
	unknownMin = 0.5
	// judgeNoise is the largest change a noisy verdict gets. A judge model
	// perturbs its verdict with probability 1 - Quality, so a weaker judge
	// is noisier, as real ones are.
	judgeNoise = 0.3
	// firstBias is added to every pairwise score: like real LLM judges the
	// mock slightly favours the response it reads first. shared/score asks
	// in both orders and averages, which cancels it exactly (before noise
	// and clamping), so the mock exercises that defence.
	firstBias = 0.05
)

// wireVerdict is the answer format shared/score's judge asks for.
type wireVerdict struct {
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
}

// graded is one response's grade against the expected answer.
type graded struct {
	score float64
	known bool // there was an expected answer to compare with
	match bool // the response equals it
}

// judgeAnswer answers a judge request, choice i, with one compact JSON
// verdict, or reports that msgs are not a judge request. The reason names
// only the outcome and never quotes item or response text.
func (m *Mock) judgeAnswer(model string, msgs []chat.Message, i int) (string, bool) {
	text, ok := judgeText(msgs)
	if !ok {
		return "", false
	}
	in, ok := parseJudge(text)
	if !ok {
		return "", false
	}
	expected, known := in.expected()
	noun := "the expected answer"
	if in.hasRef {
		noun = "the reference answer"
	}
	var v wireVerdict
	if len(in.responses) == 1 {
		g := grade(model, in, expected, known, in.responses[0])
		v = wireVerdict{Score: g.score, Reason: rubricReason(g, noun)}
	} else {
		g1 := grade(model, in, expected, known, in.responses[0])
		g2 := grade(model, in, expected, known, in.responses[1])
		v = wireVerdict{Score: 0.5 + (g1.score-g2.score)/2 + firstBias, Reason: pairReason(g1, g2, noun)}
	}
	a, b := seed(model, msgs, i)
	v.Score = round2(m.perturb(model, rand.New(rand.NewPCG(a, b)), clamp01(v.Score)))
	out, err := json.Marshal(v)
	if err != nil {
		return "", false // unreachable: the score is finite
	}
	return string(out), true
}

// expected is the answer responses are graded against: the item's
// reference when it has one, else Correct of the rebuilt conversation, the
// answer a mock candidate gives when it is right.
func (in judgeInput) expected() (string, bool) {
	if in.hasRef {
		return in.reference, true
	}
	msgs := in.messages()
	if len(msgs) == 0 {
		return "", false
	}
	return Correct(msgs), true
}

// grade grades one response. The draw is seeded by the judge model, the
// item and the response alone, so a response gets the same grade in rubric
// mode and in either position of a pairwise call.
func grade(model string, in judgeInput, expected string, known bool, response string) graded {
	r := rand.New(rand.NewPCG(gradeSeed(model, in, response)))
	switch {
	case !known:
		return graded{score: unknownMin + (1-unknownMin)*r.Float64()}
	case normalize(response) == normalize(expected):
		return graded{score: 1, known: true, match: true}
	}
	return graded{score: wrongMax * r.Float64(), known: true}
}

// perturb moves score by up to ±judgeNoise with probability 1 - Quality.
func (m *Mock) perturb(model string, r *rand.Rand, score float64) float64 {
	if r.Float64() < m.quality(model) {
		return score
	}
	return clamp01(score + judgeNoise*(2*r.Float64()-1))
}

// rubricReason is the one-line reason of a rubric verdict.
func rubricReason(g graded, noun string) string {
	switch {
	case !g.known:
		return "there is no reference answer; the response looks plausible"
	case g.match:
		return "the response matches " + noun
	}
	return "the response differs from " + noun
}

// pairReason is the one-line reason of a pairwise verdict.
func pairReason(g1, g2 graded, noun string) string {
	switch {
	case !g1.known:
		return "there is no reference answer; the responses were compared on plausibility"
	case g1.match && g2.match:
		return "both responses match " + noun
	case g1.match:
		return "Response 1 matches " + noun + " and Response 2 does not"
	case g2.match:
		return "Response 2 matches " + noun + " and Response 1 does not"
	}
	return "neither response matches " + noun
}

// gradeSeed hashes the judge model, the item and one response.
func gradeSeed(model string, in judgeInput, response string) (uint64, uint64) {
	h := sha256.New()
	field(h, "judge")
	field(h, model)
	field(h, in.conversation)
	field(h, in.reference)
	field(h, response)
	sum := h.Sum(nil)
	return binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])
}

// normalize lower-cases s and collapses its whitespace, so formatting alone
// does not make an answer wrong.
func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// clamp01 limits x to [0,1].
func clamp01(x float64) float64 { return math.Min(1, math.Max(0, x)) }

// round2 rounds to two decimals, as a judge writes a score.
func round2(x float64) float64 { return math.Round(x*100) / 100 }
