package score

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// MaxSchemaBytes bounds the schema given to NewJSONSchema; eval schemas are
// small, and the bound keeps compilation cheap.
const MaxSchemaBytes = 64 << 10

// schemaURL names the schema inside its private compiler. The .invalid TLD
// can never resolve, and the compiler's loader refuses every URL anyway.
const schemaURL = "https://tollgate.invalid/score/schema.json"

// JSONSchema scores 1 when the output is JSON that validates against the
// schema given at construction, and 0 otherwise: the check for structured
// output workloads, where "parses" is not enough.
type JSONSchema struct {
	schema *jsonschema.Schema
	opts   JSONOptions
}

var _ Scorer = (*JSONSchema)(nil)

// NewJSONSchema compiles schema (JSON Schema; draft 2020-12 unless it names
// another with $schema) once, so a bad schema is a CodeInvalidSchema error
// when the evaluation is configured rather than a failure on every item.
// References ($ref) may point only inside the schema: loading other
// documents is refused, so a tenant's schema cannot read local files or
// reach the network. "format" is an annotation, not an assertion, as the
// 2020-12 draft specifies; patterns use Go's RE2 engine.
func NewJSONSchema(schema []byte, opts JSONOptions) (*JSONSchema, error) {
	if len(schema) > MaxSchemaBytes {
		return nil, apperr.New(apperr.TooLarge, CodeInvalidSchema,
			fmt.Sprintf("json_schema: the schema is over %d bytes", MaxSchemaBytes)).WithParam("schema")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, invalidSchema(fmt.Errorf("parse schema: %w", err))
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(noLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, invalidSchema(fmt.Errorf("add schema: %w", err))
	}
	compiled, err := c.Compile(schemaURL)
	if err != nil {
		return nil, invalidSchema(fmt.Errorf("compile schema: %w", err))
	}
	return &JSONSchema{schema: compiled, opts: opts}, nil
}

// invalidSchema is the construction error for an unusable schema. The cause
// is kept for logs; the message stays generic.
func invalidSchema(err error) error {
	return apperr.Wrap(err, apperr.Invalid, CodeInvalidSchema, "json_schema: the schema is not a valid JSON Schema").WithParam("schema")
}

// Name returns "json_schema".
func (*JSONSchema) Name() string { return "json_schema" }

// Score parses output as JSON and validates it. Detail names the failing
// schema keyword location (from the tenant's schema), never output text.
func (s *JSONSchema) Score(_ context.Context, _ Item, output string) (Result, error) {
	if err := checkOutput(s.Name(), output); err != nil {
		return Result{}, err
	}
	v, err := decodeJSON(jsonBody(output, s.opts))
	if err != nil {
		return Result{Score: 0, Detail: err.Error()}, nil
	}
	if err := s.schema.Validate(v); err != nil {
		return Result{Score: 0, Detail: violation(err)}, nil
	}
	return Result{Score: 1, Detail: "valid against schema"}, nil
}

// violation summarizes a validation failure: how many leaf violations and
// the schema location of the first.
func violation(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return "does not match schema"
	}
	var leaves []*jsonschema.ValidationError
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, e)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	first := leaves[0]
	loc := strings.TrimPrefix(first.SchemaURL, schemaURL)
	if loc == "" {
		loc = "#"
	}
	if first.ErrorKind != nil {
		if kw := first.ErrorKind.KeywordPath(); len(kw) > 0 {
			loc = strings.TrimSuffix(loc, "/") + "/" + strings.Join(kw, "/")
		}
	}
	return fmt.Sprintf("does not match schema: %d violation(s), first at %s", len(leaves), loc)
}

// noLoader refuses to load any schema document: everything a schema may
// reference must be inside it.
type noLoader struct{}

// Load always fails.
func (noLoader) Load(string) (any, error) {
	return nil, errors.New("external schema references are not allowed")
}
