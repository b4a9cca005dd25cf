package score

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JSONOptions configure the JSON scorers.
type JSONOptions struct {
	// StripFence accepts an output that is one ```json (or bare ```) Markdown
	// fence around the JSON, as chat models often write it. Without it the
	// output must be JSON from its first non-space byte to its last.
	StripFence bool
}

// JSONValid scores 1 when the output is exactly one JSON value and 0
// otherwise: the minimum bar for a workload whose answers a program parses.
type JSONValid struct {
	opts JSONOptions
}

var _ Scorer = (*JSONValid)(nil)

// NewJSONValid returns a JSONValid scorer; it cannot fail.
func NewJSONValid(opts JSONOptions) *JSONValid { return &JSONValid{opts: opts} }

// Name returns "json_valid".
func (*JSONValid) Name() string { return "json_valid" }

// Score checks that output parses as a single JSON value. It needs no
// reference. Detail gives the byte offset of a syntax error, never the text.
func (j *JSONValid) Score(_ context.Context, _ Item, output string) (Result, error) {
	if err := checkOutput(j.Name(), output); err != nil {
		return Result{}, err
	}
	if _, err := decodeJSON(jsonBody(output, j.opts)); err != nil {
		return Result{Score: 0, Detail: err.Error()}, nil
	}
	return Result{Score: 1, Detail: "valid JSON"}, nil
}

// jsonBody is the text a JSON scorer parses.
func jsonBody(output string, opts JSONOptions) string {
	if opts.StripFence {
		return stripFence(output)
	}
	return output
}

// decodeJSON parses s as exactly one JSON value, numbers kept as
// json.Number so schema checks see them exactly. Its errors are short and
// quote nothing from s.
func decodeJSON(s string) (any, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty output")
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("invalid JSON: data after the value at byte %d", dec.InputOffset())
	}
	return v, nil
}

// jsonError describes a decoding failure by position only.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON: syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("JSON value of the wrong type at byte %d", typ.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return errors.New("JSON object with an unexpected field")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("invalid JSON: unexpected end of input")
	}
	return errors.New("invalid JSON")
}
