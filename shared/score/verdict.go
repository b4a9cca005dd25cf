package score

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// maxReasonBytes clips the judge's reason: it is for a human glancing at a
// result, and a judge that rambles should not bloat stored results.
const maxReasonBytes = 500

// Verdict is a judge's parsed answer.
type Verdict struct {
	// Score is in [0,1]. In rubric mode 1 is best; in a pairwise call it is
	// how strongly the first response shown beat the second.
	Score float64
	// Reason is the judge's one-line justification, clipped to 500 bytes.
	// It may quote item text, so unlike Result.Detail it is tenant content:
	// store it with the item, never in logs.
	Reason string
}

// wireVerdict is the strict answer format. Pointers tell a missing field
// from a zero one.
type wireVerdict struct {
	Score  *float64 `json:"score"`
	Reason *string  `json:"reason"`
}

// verdictOf extracts the verdict from a judge response, or a
// CodeJudgeUnparseable error. A truncated, empty or tool-call answer is
// unparseable too: a partial verdict is no verdict.
func verdictOf(resp *chat.Response) (Verdict, error) {
	switch {
	case resp == nil || len(resp.Choices) == 0:
		return Verdict{}, unparseable(errors.New("the response has no choices"))
	case resp.Choices[0].FinishReason == chat.FinishLength:
		return Verdict{}, unparseable(errors.New("the answer was cut at the token ceiling"))
	case len(resp.Choices[0].Message.ToolCalls) > 0:
		return Verdict{}, unparseable(errors.New("the answer is a tool call"))
	}
	return parseVerdict(resp.Choices[0].Message.Content.String())
}

// parseVerdict parses a judge's answer: exactly one JSON object with a
// numeric "score" in [0,1] and a string "reason", nothing else, optionally
// inside one ```json fence. Anything else is CodeJudgeUnparseable; a guess
// (such as reading a number out of prose) would turn a confused judge into
// a confident score.
func parseVerdict(answer string) (Verdict, error) {
	body := stripFence(answer)
	if body == "" {
		return Verdict{}, unparseable(errors.New("the answer is empty"))
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	var w wireVerdict
	if err := dec.Decode(&w); err != nil {
		return Verdict{}, unparseable(fmt.Errorf("decode verdict: %w", jsonError(err)))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Verdict{}, unparseable(errors.New("text after the verdict object"))
	}
	switch {
	case w.Score == nil:
		return Verdict{}, unparseable(errors.New(`the verdict has no "score"`))
	case w.Reason == nil:
		return Verdict{}, unparseable(errors.New(`the verdict has no "reason"`))
	case math.IsNaN(*w.Score) || *w.Score < 0 || *w.Score > 1:
		return Verdict{}, apperr.Wrap(fmt.Errorf("score %v", *w.Score), apperr.UpstreamFailed, CodeJudgeUnparseable,
			"the judge's score is outside [0,1]")
	}
	return Verdict{Score: *w.Score, Reason: clip(*w.Reason, maxReasonBytes)}, nil
}

// unparseable is the error for a judge answer that is not a verdict. The
// cause says what was wrong by position or field, never quoting the answer,
// which may repeat item text.
func unparseable(cause error) error {
	return apperr.Wrap(cause, apperr.UpstreamFailed, CodeJudgeUnparseable,
		`the judge's answer was not the expected {"score": 0..1, "reason": "..."} JSON`)
}

// clip cuts s to at most n bytes without splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

// utf8Start reports whether b can begin a UTF-8 sequence.
func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
