package bedrock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	smithydocument "github.com/aws/smithy-go/document"
)

var errNotObject = errors.New("not a JSON object")

// jsonObject turns a JSON object (empty means {}) into a Smithy document,
// the type Converse uses for tool inputs and schemas.
func jsonObject(s string) (document.Interface, error) {
	b := bytes.TrimSpace([]byte(s))
	if len(b) == 0 {
		return document.NewLazyDocument(map[string]any{}), nil
	}
	if b[0] != '{' {
		return nil, errNotObject
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	return document.NewLazyDocument(v), nil
}

// decodeJSON decodes JSON into maps, slices and scalars, keeping numbers
// exact as document.Number (a float64 would round large integers).
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	if d.More() {
		return nil, fmt.Errorf("decode JSON: trailing data")
	}
	return toDocumentNumbers(v), nil
}

func toDocumentNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = toDocumentNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = toDocumentNumbers(e)
		}
	case json.Number:
		return smithydocument.Number(t.String())
	}
	return v
}

// documentJSON renders a document from a response (a tool call's input)
// as compact JSON, {} when absent.
func documentJSON(d document.Interface) (string, error) {
	if d == nil {
		return "{}", nil
	}
	b, err := d.MarshalSmithyDocument()
	if err != nil {
		return "", fmt.Errorf("encode tool input: %w", err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return "", fmt.Errorf("encode tool input: %w", err)
	}
	if out.Len() == 0 || out.String() == "null" {
		return "{}", nil
	}
	return out.String(), nil
}
