package gemini

import (
	"encoding/json"
	"fmt"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// generation builds generationConfig, or nil when the request sets nothing
// in it, so the API applies the model's defaults.
func generation(r *chat.Request) (*generationConfig, error) {
	gc := &generationConfig{
		StopSequences:    r.Stop,
		CandidateCount:   r.N,
		Temperature:      r.Temperature,
		TopP:             r.TopP,
		Seed:             r.Seed,
		PresencePenalty:  r.PresencePenalty,
		FrequencyPenalty: r.FrequencyPenalty,
	}
	if ceiling := r.OutputCeiling(); ceiling > 0 {
		gc.MaxOutputTokens = &ceiling
	}
	if err := responseFormat(r.ResponseFormat, gc); err != nil {
		return nil, err
	}
	if isZero(gc) {
		return nil, nil
	}
	return gc, nil
}

// responseFormat maps json_object to JSON mode and json_schema to JSON mode
// constrained by responseJsonSchema, which accepts the standard JSON Schema
// that OpenAI clients send (responseSchema takes only an OpenAPI subset).
func responseFormat(rf *chat.ResponseFormat, gc *generationConfig) error {
	if rf == nil {
		return nil
	}
	switch rf.Type {
	case "", "text":
		return nil
	case "json_object":
		gc.ResponseMimeType = "application/json"
		return nil
	case "json_schema":
		var js struct {
			Schema json.RawMessage `json:"schema"`
		}
		if len(rf.JSONSchema) > 0 {
			if err := json.Unmarshal(rf.JSONSchema, &js); err != nil {
				return invalid("response_format.json_schema", "json_schema must be an object")
			}
		}
		gc.ResponseMimeType = "application/json"
		gc.ResponseJSONSchema = js.Schema
		return nil
	}
	return invalid("response_format.type", fmt.Sprintf("response_format %q is not supported", rf.Type))
}

func isZero(gc *generationConfig) bool {
	return len(gc.StopSequences) == 0 && gc.ResponseMimeType == "" && gc.CandidateCount == nil &&
		gc.MaxOutputTokens == nil && gc.Temperature == nil && gc.TopP == nil && gc.Seed == nil &&
		gc.PresencePenalty == nil && gc.FrequencyPenalty == nil
}
