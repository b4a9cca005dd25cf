package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// MaxDiffBytes caps the JSON of Before and of After. A larger side is
// replaced by a marker (see TruncatedKey) rather than refused, so a big
// object never costs the audit trail its entry.
const MaxDiffBytes = 8 << 10

// TruncatedKey and SizeKey make up the marker that replaces a side over
// MaxDiffBytes: {"_truncated": true, "_bytes": <its size>}.
const (
	TruncatedKey = "_truncated"
	SizeKey      = "_bytes"
)

// Redacted replaces a value that is a credential only together with its key
// (a "password" or "token" field).
const Redacted = "[REDACTED]"

// safeDiff returns d as it will be stored: round-tripped through JSON (so
// the entry Append returns equals what List reads back, numbers as
// json.Number), every credential-shaped key or string redacted, and capped
// at MaxDiffBytes. A value JSON cannot encode, or a credential that survives
// redaction, is refused.
func safeDiff(d map[string]any, param string) (map[string]any, error) {
	if len(d) == 0 {
		return nil, nil
	}
	if hasBytes(reflect.ValueOf(d), 0) {
		return nil, apperr.New(apperr.Invalid, "invalid_audit_diff",
			param+" must not hold binary values: encoded, they would hide a credential from redaction").WithParam(param)
	}
	raw, err := encodeJSON(d)
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("encode %s: %w", param, err), apperr.Invalid, "invalid_audit_diff",
			param+" must be encodable as JSON").WithParam(param)
	}
	generic, err := decodeDiff(raw)
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("decode %s: %w", param, err), apperr.Invalid, "invalid_audit_diff",
			param+" must be a JSON object").WithParam(param)
	}
	clean := redact(generic).(map[string]any)
	out, err := encodeJSON(clean)
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("re-encode %s: %w", param, err), apperr.Internal, "audit_diff_encoding", "internal error")
	}
	if scrub.Contains(string(out)) {
		// Redaction works per key and value; refuse what it could not clean
		// rather than store a secret that no one can ever delete.
		return nil, apperr.New(apperr.Invalid, "audit_diff_has_credential",
			param+" holds a credential that could not be redacted").WithParam(param)
	}
	if len(out) > MaxDiffBytes {
		return map[string]any{TruncatedKey: true, SizeKey: json.Number(strconv.Itoa(len(out)))}, nil
	}
	return clean, nil
}

// redact returns v with credential-shaped map keys and strings scrubbed,
// and with the value of any key that makes a credential together with it
// ({"password": "hunter2"}) replaced by Redacted.
func redact(v any) any {
	switch v := v.(type) {
	case string:
		return scrub.String(v)
	case []any:
		for i := range v {
			v[i] = redact(v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			k = scrub.String(k)
			val = redact(val)
			if pair, err := encodeJSON(map[string]any{k: val}); err == nil && scrub.Contains(string(pair)) {
				val = Redacted
			}
			out[k] = val
		}
		return out
	}
	return v // numbers, booleans and null hold no secret
}

// encodeJSON is compact JSON without HTML escaping, so that what scrub
// inspects is the text that is stored.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// decodeDiff reads a stored side, keeping numbers exact.
func decodeDiff(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// rawJSON is json.RawMessage's type: bytes that are JSON text, not binary.
var rawJSON = reflect.TypeFor[json.RawMessage]()

// hasBytes reports whether v holds a []byte (or byte array) anywhere, which
// JSON would encode as base64 that scrub cannot see into. Depth is bounded
// so a cyclic value ends here rather than in the encoder.
func hasBytes(v reflect.Value, depth int) bool {
	if !v.IsValid() || depth > 64 {
		return false
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		return !v.IsNil() && hasBytes(v.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 && v.Type() != rawJSON {
			return true
		}
		for i := 0; i < v.Len(); i++ {
			if hasBytes(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if hasBytes(it.Value(), depth+1) {
				return true
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && hasBytes(v.Field(i), depth+1) {
				return true
			}
		}
	}
	return false
}
