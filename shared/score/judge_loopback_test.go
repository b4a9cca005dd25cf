package score

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// These tests put an OpenAI-compatible upstream on loopback and reach it
// through the real openai adapter and the real outbound client, so the judge
// parses answers exactly as a provider would deliver them.

func TestJudgeRubricOverLoopback(t *testing.T) {
	tests := []struct {
		name     string
		content  string
		finish   string
		want     float64
		wantCode string
	}{
		{name: "plain verdict", content: `{"score": 0.8, "reason": "mostly right"}`, want: 0.8},
		{name: "fenced verdict", content: "```json\n{\"score\": 0.3, \"reason\": \"weak\"}\n```", want: 0.3},
		{name: "zero is a real score", content: `{"score": 0, "reason": "wrong"}`, want: 0},
		{name: "prose", content: "I would rate this response 8/10.", wantCode: CodeJudgeUnparseable},
		{name: "above range", content: `{"score": 1.01, "reason": "x"}`, wantCode: CodeJudgeUnparseable},
		{name: "below range", content: `{"score": -1, "reason": "x"}`, wantCode: CodeJudgeUnparseable},
		{name: "ten-point scale", content: `{"score": 9, "reason": "x"}`, wantCode: CodeJudgeUnparseable},
		{name: "score as string", content: `{"score": "high", "reason": "x"}`, wantCode: CodeJudgeUnparseable},
		{name: "extra text", content: `{"score": 0.5, "reason": "x"} Let me know!`, wantCode: CodeJudgeUnparseable},
		{name: "empty answer", content: "", wantCode: CodeJudgeUnparseable},
		{name: "cut at the ceiling", content: `{"score": 0.5, "reason": "x"}`, finish: chat.FinishLength, wantCode: CodeJudgeUnparseable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []*chat.Request
			c := loopbackCompleter(t, func(_ *testing.T, req *chat.Request) (string, string) {
				mu.Lock()
				seen = append(seen, req)
				mu.Unlock()
				finish := tc.finish
				if finish == "" {
					finish = chat.FinishStop
				}
				return tc.content, finish
			})
			j, err := NewJudge(c, "gpt-4o", "Grade factual accuracy.")
			if err != nil {
				t.Fatal(err)
			}
			res, err := j.Score(t.Context(), item("What is 2+2?", "4"), "4")
			if tc.wantCode != "" {
				wantCode(t, err, tc.wantCode)
			} else if err != nil {
				t.Fatalf("Score: %v", err)
			} else if res.Score != tc.want {
				t.Fatalf("score %v, want %v", res.Score, tc.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 1 {
				t.Fatalf("upstream saw %d requests, want 1", len(seen))
			}
			// What arrived on the wire, after the adapter's encoding.
			checkJudgeRequest(t, seen[0], "gpt-4o")
			if !strings.Contains(seen[0].Messages[0].Content.String(), "Grade factual accuracy.") {
				t.Fatal("the rubric is not in the system prompt")
			}
			user := userText(seen[0])
			for _, part := range []string{"<conversation>\n[user]\nWhat is 2+2?\n</conversation>", "<reference>\n4\n</reference>", "<response>\n4\n</response>"} {
				if !strings.Contains(user, part) {
					t.Fatalf("user prompt lacks %q:\n%s", part, user)
				}
			}
		})
	}
}

// responses extracts Response 1 and Response 2 from a pairwise prompt.
func responses(t *testing.T, req *chat.Request) (first, second string) {
	t.Helper()
	user := userText(req)
	_, rest, ok1 := strings.Cut(user, "Response 1:\n<response>\n")
	first, rest, ok2 := strings.Cut(rest, "\n</response>\nResponse 2:\n<response>\n")
	second, _, ok3 := strings.Cut(rest, "\n</response>\n")
	if !ok1 || !ok2 || !ok3 {
		t.Errorf("pairwise prompt not in the expected shape:\n%s", user)
	}
	return first, second
}

func TestComparePairCancelsPositionBias(t *testing.T) {
	const good, bad = "GOOD answer", "poor answer"
	verdict := func(score string) string { return `{"score": ` + score + `, "reason": "r"}` }
	tests := []struct {
		name  string
		judge judgeFunc
		a, b  string
		want  float64
	}{
		{"always prefers the first", fixed(verdict("1")), good, bad, 0.5},
		{"always prefers the first, swapped", fixed(verdict("1")), bad, good, 0.5},
		{"always prefers the second", fixed(verdict("0")), good, bad, 0.5},
		{"always a tie", fixed(verdict("0.5")), good, bad, 0.5},
		{"fenced first preference", fixed("```json\n" + verdict("1") + "\n```"), good, bad, 0.5},
		{"content only: a better", contentJudge(good, 0), good, bad, 1},
		{"content only: b better", contentJudge(good, 0), bad, good, 0},
		{"content only: equal", contentJudge(good, 0), good, good, 0.5},
		// Half position bias, half content: the bias cancels and the
		// content signal survives at half strength.
		{"biased but content-aware", contentJudge(good, 0.5), good, bad, 0.75},
		{"biased but content-aware, swapped", contentJudge(good, 0.5), bad, good, 0.25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var order [][2]string
			c := loopbackCompleter(t, func(t *testing.T, req *chat.Request) (string, string) {
				first, second := responses(t, req)
				mu.Lock()
				order = append(order, [2]string{first, second})
				mu.Unlock()
				return tc.judge(t, req)
			})
			j, err := NewJudge(c, "claude-sonnet-4", "Prefer the better answer.")
			if err != nil {
				t.Fatal(err)
			}
			pref, err := j.ComparePair(t.Context(), item("Question?", ""), tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if pref != tc.want {
				t.Fatalf("prefA %v, want %v", pref, tc.want)
			}
			mu.Lock()
			defer mu.Unlock()
			want := [][2]string{{tc.a, tc.b}, {tc.b, tc.a}}
			if len(order) != 2 || order[0] != want[0] || order[1] != want[1] {
				t.Fatalf("judged orders %q, want %q", order, want)
			}
			for _, req := range c.requests() {
				checkJudgeRequest(t, req, "claude-sonnet-4")
			}
		})
	}
}

// contentJudge scores Response 1 by content, 1 when it contains marker and
// 0 otherwise, mixed with bias toward whichever response is first: the
// score is bias*1 + (1-bias)*content.
func contentJudge(marker string, bias float64) judgeFunc {
	return func(t *testing.T, req *chat.Request) (string, string) {
		first, second := responses(t, req)
		content := 0.5
		switch {
		case strings.Contains(first, marker) && !strings.Contains(second, marker):
			content = 1
		case strings.Contains(second, marker) && !strings.Contains(first, marker):
			content = 0
		}
		score := bias + (1-bias)*content
		return `{"score": ` + strconv.FormatFloat(score, 'g', -1, 64) + `, "reason": "compared"}`, chat.FinishStop
	}
}

func TestComparePairUnparseable(t *testing.T) {
	tests := []struct {
		name  string
		judge judgeFunc
	}{
		{"prose both times", fixed("Response 1 is better.")},
		{"out of range both times", fixed(`{"score": 2, "reason": "x"}`)},
		{"bad only in the second order", func(t *testing.T, req *chat.Request) (string, string) {
			if first, _ := responses(t, req); first == "b" {
				return `{"score": 1.5, "reason": "x"}`, chat.FinishStop
			}
			return `{"score": 1, "reason": "x"}`, chat.FinishStop
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, err := NewJudge(loopbackCompleter(t, tc.judge), "gpt-4o", "Prefer the better answer.")
			if err != nil {
				t.Fatal(err)
			}
			pref, err := j.ComparePair(t.Context(), item("Question?", ""), "a", "b")
			wantCode(t, err, CodeJudgeUnparseable)
			if pref != 0 {
				t.Fatalf("prefA %v returned alongside an error", pref)
			}
		})
	}
}
