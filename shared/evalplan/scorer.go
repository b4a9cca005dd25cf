package evalplan

import (
	"encoding/json"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/score"
)

// ScorerConfig is a run's scorer settings as the API takes them and the
// run stores them.
type ScorerConfig struct {
	Type string `json:"type"` // exact, normalized, json_valid, json_schema, regex, judge
	// Schema is the JSON schema of json_schema.
	Schema json.RawMessage `json:"schema,omitempty"`
	// Pattern is the regular expression of regex.
	Pattern string `json:"pattern,omitempty"`
	// Rubric is the judge's grading criteria; Mode is "grade" (default:
	// each answer scored on its own) or "pairwise" (both orders compared).
	Rubric string `json:"rubric,omitempty"`
	Mode   string `json:"mode,omitempty"`
	// JudgeModel overrides the default judge: a model of another family
	// than the candidate's.
	JudgeModel string `json:"judge_model,omitempty"`
}

// Judge modes.
const (
	ModeGrade    = "grade"
	ModePairwise = "pairwise"
)

// NeedsReference reports whether the scorer compares with an expected
// answer. Items without one (live traffic) are compared with the
// baseline's answer instead: the score is the candidate's agreement.
func (c ScorerConfig) NeedsReference() bool { return c.Type == "exact" || c.Type == "normalized" }

// IsJudge reports whether the scorer calls a model.
func (c ScorerConfig) IsJudge() bool { return c.Type == "judge" }

// Build returns the scorer; judge runs take the completer their calls go
// through and the resolved judge model.
func (c ScorerConfig) Build(judge score.Completer, judgeModel string) (score.Scorer, error) {
	switch c.Type {
	case "exact":
		return score.Exact{}, nil
	case "normalized":
		return score.Normalized{}, nil
	case "json_valid":
		return score.NewJSONValid(score.JSONOptions{}), nil
	case "json_schema":
		return score.NewJSONSchema(c.Schema, score.JSONOptions{})
	case "regex":
		return score.NewRegex(c.Pattern)
	case "judge":
		if c.Mode != "" && c.Mode != ModeGrade && c.Mode != ModePairwise {
			return nil, apperr.New(apperr.Invalid, "invalid_scorer", "scorer.mode must be grade or pairwise").WithParam("scorer.mode")
		}
		return score.NewJudge(judge, judgeModel, c.Rubric)
	}
	return nil, apperr.New(apperr.Invalid, "invalid_scorer",
		"scorer.type must be exact, normalized, json_valid, json_schema, regex or judge").WithParam("scorer.type")
}
