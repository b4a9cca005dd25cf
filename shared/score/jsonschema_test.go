package score

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

const personSchema = `{
	"type": "object",
	"properties": {
		"name": {"type": "string", "minLength": 1},
		"age": {"type": "integer", "minimum": 0},
		"tags": {"type": "array", "items": {"enum": ["a", "b"]}}
	},
	"required": ["name", "age"],
	"additionalProperties": false
}`

func TestJSONSchema(t *testing.T) {
	strict, err := NewJSONSchema([]byte(personSchema), JSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fenced, err := NewJSONSchema([]byte(personSchema), JSONOptions{StripFence: true})
	if err != nil {
		t.Fatal(err)
	}
	valid := `{"name": "Zoë", "age": 30, "tags": ["a"]}`
	t.Run("strict", func(t *testing.T) {
		runScoreCases(t, strict, []scoreCase{
			{name: "valid", output: valid, want: 1},
			{name: "unicode value", output: `{"name": "東京太郎", "age": 0}`, want: 1},
			{name: "missing required", output: `{"name": "x"}`, want: 0},
			{name: "wrong type", output: `{"name": "x", "age": "thirty"}`, want: 0},
			{name: "fractional integer", output: `{"name": "x", "age": 30.5}`, want: 0},
			{name: "big integer exact", output: `{"name": "x", "age": 123456789012345678901234567890}`, want: 1},
			{name: "extra property", output: `{"name": "x", "age": 1, "secretfield": true}`, want: 0},
			{name: "enum violated", output: `{"name": "x", "age": 1, "tags": ["z"]}`, want: 0},
			{name: "not JSON", output: `name: x`, want: 0},
			{name: "fence refused", output: "```json\n" + valid + "\n```", want: 0},
			{name: "empty output", output: "", want: 0},
			{name: "huge refused", output: strings.Repeat(" ", MaxOutputBytes+1), wantCode: CodeOutputTooLarge},
		})
	})
	t.Run("fence stripped", func(t *testing.T) {
		runScoreCases(t, fenced, []scoreCase{
			{name: "fenced valid", output: "```json\n" + valid + "\n```", want: 1},
			{name: "fenced invalid", output: "```json\n{\"name\": \"x\"}\n```", want: 0},
		})
	})
}

func TestJSONSchemaDetailNamesSchemaLocation(t *testing.T) {
	s, err := NewJSONSchema([]byte(personSchema), JSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Score(t.Context(), Item{}, `{"name": "x", "age": "privatevalue"}`)
	if err != nil {
		t.Fatal(err)
	}
	want := "does not match schema: 1 violation(s), first at #/properties/age/type"
	if res.Score != 0 || res.Detail != want {
		t.Fatalf("got %v %q, want 0 %q", res.Score, res.Detail, want)
	}
	if strings.Contains(res.Detail, "privatevalue") {
		t.Fatalf("detail %q echoes the output", res.Detail)
	}
}

func TestNewJSONSchemaRefusesBadSchemas(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		kind   apperr.Kind
	}{
		{"not JSON", `{"type": `, apperr.Invalid},
		{"empty", ``, apperr.Invalid},
		{"trailing data", `{} {}`, apperr.Invalid},
		{"unknown type", `{"type": "banana"}`, apperr.Invalid},
		{"bad minimum", `{"minimum": "ten"}`, apperr.Invalid},
		{"bad pattern", `{"pattern": "(unclosed"}`, apperr.Invalid},
		{"lookahead pattern is not RE2", `{"pattern": "(?=x)"}`, apperr.Invalid},
		{"dangling local ref", `{"$ref": "#/$defs/missing"}`, apperr.Invalid},
		{"file ref refused", `{"$ref": "file:///etc/passwd"}`, apperr.Invalid},
		{"remote ref refused", `{"$ref": "https://example.com/schema.json"}`, apperr.Invalid},
		{"relative ref refused", `{"$ref": "other.json"}`, apperr.Invalid},
		{"too large", `{"description": "` + strings.Repeat("x", MaxSchemaBytes) + `"}`, apperr.TooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewJSONSchema([]byte(tc.schema), JSONOptions{})
			if s != nil {
				t.Fatal("got a scorer for a bad schema")
			}
			wantCode(t, err, CodeInvalidSchema)
			if k := apperr.KindOf(err); k != tc.kind {
				t.Fatalf("kind %v, want %v", k, tc.kind)
			}
		})
	}
}

func TestNewJSONSchemaAcceptsLocalRefsAndDrafts(t *testing.T) {
	tests := []struct {
		name, schema, good, bad string
	}{
		{"local $defs ref", `{"$defs": {"n": {"type": "number"}}, "$ref": "#/$defs/n"}`, `1.5`, `"x"`},
		{"draft-07", `{"$schema": "http://json-schema.org/draft-07/schema#", "type": "boolean"}`, `true`, `0`},
		{"empty schema accepts anything", `{}`, `{"any": [1]}`, `not json`},
		{"false schema rejects everything", `false`, `x`, `null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewJSONSchema([]byte(tc.schema), JSONOptions{})
			if err != nil {
				t.Fatal(err)
			}
			good, err := s.Score(t.Context(), Item{}, tc.good)
			if err != nil {
				t.Fatal(err)
			}
			bad, err := s.Score(t.Context(), Item{}, tc.bad)
			if err != nil {
				t.Fatal(err)
			}
			if tc.schema == `false` {
				good.Score = 1 - good.Score // "x" is not JSON: both must fail
			}
			if good.Score != 1 || bad.Score != 0 {
				t.Fatalf("good %v (%s), bad %v (%s)", good.Score, good.Detail, bad.Score, bad.Detail)
			}
		})
	}
}
