package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// marshal encodes x as JSON without HTML escaping, so that & in a URL stays
// & and the scrubber recognises a query string.
func marshal(x any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, fmt.Errorf("encode %T: %w", x, err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// scrubJSON re-encodes the JSON document doc, keeping its order, with every
// string and object key scrubbed and the value of every secret-named key
// replaced by [REDACTED].
func scrubJSON(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(doc))
	if err := copyValue(dec, &out, false); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("scrub json: data after the document")
	}
	return out.Bytes(), nil
}

// copyValue copies the next JSON value from dec to out, scrubbed, or writes
// [REDACTED] in its place when hide is set.
func copyValue(dec *json.Decoder, out *bytes.Buffer, hide bool) error {
	if hide {
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fmt.Errorf("scrub json: %w", err)
		}
		writeString(out, redacted)
		return nil
	}
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("scrub json: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		return copyComposite(dec, out, t)
	case string:
		writeString(out, scrub.String(t))
	case json.Number:
		out.WriteString(t.String())
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	}
	return nil
}

// copyComposite copies the members of the object or array that open began.
func copyComposite(dec *json.Decoder, out *bytes.Buffer, open json.Delim) error {
	out.WriteByte(byte(open))
	for i := 0; dec.More(); i++ {
		if i > 0 {
			out.WriteByte(',')
		}
		hide := false
		if open == '{' {
			tok, err := dec.Token()
			if err != nil {
				return fmt.Errorf("scrub json: %w", err)
			}
			key, _ := tok.(string)
			writeString(out, scrub.String(key))
			out.WriteByte(':')
			hide = secretKey(key)
		}
		if err := copyValue(dec, out, hide); err != nil {
			return err
		}
	}
	closing, err := dec.Token()
	if err != nil {
		return fmt.Errorf("scrub json: %w", err)
	}
	out.WriteByte(byte(closing.(json.Delim)))
	return nil
}

// writeString writes s as a JSON string.
func writeString(out *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always encodes
	out.Write(b)
}
