package logging

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"

	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// redacted replaces the whole value of a secret-named key.
const redacted = "[REDACTED]"

// cleanAttr returns a with its key scrubbed and its value redacted, when the
// key names a secret or hidden is set, or scrubbed otherwise.
func cleanAttr(a slog.Attr, hidden bool) slog.Attr {
	if a.Equal(slog.Attr{}) {
		return a // slog drops empty attributes; keep it empty
	}
	a.Key = scrub.String(a.Key)
	if hidden || secretKey(a.Key) {
		return slog.String(a.Key, redacted)
	}
	a.Value = cleanValue(a.Value.Resolve())
	return a
}

// cleanValue scrubs a resolved value. Numbers, booleans, durations and times
// cannot hold a credential and pass unchanged.
func cleanValue(v slog.Value) slog.Value {
	switch v.Kind() {
	case slog.KindString:
		s := v.String()
		if c := scrub.String(s); c != s {
			return slog.StringValue(c)
		}
		return v
	case slog.KindGroup:
		attrs := v.Group()
		clean := make([]slog.Attr, len(attrs))
		for i, a := range attrs {
			clean[i] = cleanAttr(a, false)
		}
		return slog.GroupValue(clean...)
	case slog.KindAny:
		return cleanAny(v.Any())
	default:
		return v
	}
}

// cleanAny renders an arbitrary value as text or JSON that the scrubber has
// read. fmt.Sprint is used for errors and Stringers because it survives a
// nil receiver or a panicking method, as a log call must.
func cleanAny(x any) slog.Value {
	switch x := x.(type) {
	case nil:
		return slog.AnyValue(nil)
	case error, fmt.Stringer:
		return slog.StringValue(scrub.String(fmt.Sprint(x)))
	case []byte:
		return slog.StringValue(scrub.String(string(x)))
	case json.RawMessage:
		if clean, err := scrubJSON(x); err == nil {
			return slog.AnyValue(json.RawMessage(clean))
		}
		return slog.StringValue(scrub.String(string(x)))
	}
	if rv := reflect.ValueOf(x); rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
		return slog.StringValue(scrub.String(string(rv.Bytes()))) // a named []byte type
	}
	doc, err := marshal(x)
	if err == nil {
		doc, err = scrubJSON(doc)
	}
	if err != nil {
		return slog.StringValue(scrub.String(fmt.Sprintf("%+v", x)))
	}
	return slog.AnyValue(json.RawMessage(doc))
}
