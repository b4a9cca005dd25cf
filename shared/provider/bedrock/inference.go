package bedrock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// inference builds inferenceConfig, or nil when the request sets nothing in
// it, so the model's defaults apply.
func inference(cr *chat.Request) (*types.InferenceConfiguration, error) {
	ic := &types.InferenceConfiguration{StopSequences: cr.Stop}
	if ceiling := cr.OutputCeiling(); ceiling > 0 {
		if ceiling > math.MaxInt32 {
			return nil, invalid("max_tokens", "max_tokens is too large")
		}
		ic.MaxTokens = aws.Int32(int32(ceiling))
	}
	if cr.Temperature != nil {
		ic.Temperature = aws.Float32(float32(*cr.Temperature))
	}
	if cr.TopP != nil {
		ic.TopP = aws.Float32(float32(*cr.TopP))
	}
	if ic.MaxTokens == nil && ic.Temperature == nil && ic.TopP == nil && len(ic.StopSequences) == 0 {
		return nil, nil
	}
	return ic, nil
}

// outputConfig maps response_format json_schema to Converse structured
// output (outputConfig.textFormat, whose schema travels as a JSON string).
// Converse has no schema-less JSON mode, so json_object is refused rather
// than silently ignored.
func outputConfig(rf *chat.ResponseFormat) (*types.OutputConfig, error) {
	if rf == nil {
		return nil, nil
	}
	switch rf.Type {
	case "", "text":
		return nil, nil
	case "json_object":
		return nil, invalid("response_format.type", "Bedrock Converse needs a schema for JSON output; use json_schema")
	case "json_schema":
	default:
		return nil, invalid("response_format.type", fmt.Sprintf("response_format %q is not supported", rf.Type))
	}
	var js struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Schema      json.RawMessage `json:"schema"`
	}
	if err := json.Unmarshal(rf.JSONSchema, &js); err != nil || len(js.Schema) == 0 {
		return nil, invalid("response_format.json_schema", "json_schema must hold a schema")
	}
	var schema bytes.Buffer
	if err := json.Compact(&schema, js.Schema); err != nil || schema.Bytes()[0] != '{' {
		return nil, invalid("response_format.json_schema.schema", "schema must be a JSON object")
	}
	def := types.JsonSchemaDefinition{Schema: aws.String(schema.String())}
	if js.Name != "" {
		def.Name = aws.String(js.Name)
	}
	if js.Description != "" {
		def.Description = aws.String(js.Description)
	}
	return &types.OutputConfig{TextFormat: &types.OutputFormat{
		Type:      types.OutputFormatTypeJsonSchema,
		Structure: &types.OutputFormatStructureMemberJsonSchema{Value: def},
	}}, nil
}
