package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/scrub"
)

const (
	orgID   = "org_0123456789abcdefghjk"
	model   = "gpt-4o-mini"
	latency = 412
)

// stringer, valuer and upstreamCall are the kinds of value call sites log.
type stringer struct{ s string }

func (s stringer) String() string { return s.s }

type valuer struct{ s string }

func (v valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("detail", v.s), slog.Int("attempt", 2))
}

type upstreamCall struct {
	URL     string
	Status  int
	Body    string
	Headers map[string]string
	Nested  struct{ Note []string }
}

// notJSON cannot be encoded as JSON, so it is logged with %+v.
type notJSON struct {
	Note string
	Done chan struct{}
}

// placements put text somewhere a record can carry it.
var placements = []struct {
	name string
	log  func(l *slog.Logger, text string)
}{
	{"message", func(l *slog.Logger, s string) { l.Info(s) }},
	{"string attr", func(l *slog.Logger, s string) { l.Info("m", "detail", s) }},
	{"group depth 3", func(l *slog.Logger, s string) {
		l.Info("m", slog.Group("a", slog.Group("b", slog.Group("c", slog.String("detail", s)))))
	}},
	{"error", func(l *slog.Logger, s string) { l.Error("m", "err", errors.New(s)) }},
	{"wrapped error", func(l *slog.Logger, s string) {
		err := apperr.Wrap(fmt.Errorf("call provider: %w", errors.New(s)), apperr.UpstreamFailed, "upstream_error", "provider failed")
		l.Error("m", "err", fmt.Errorf("handle request: %w", err))
	}},
	{"joined error", func(l *slog.Logger, s string) { l.Error("m", "err", errors.Join(errors.New("first"), errors.New(s))) }},
	{"stringer", func(l *slog.Logger, s string) { l.Info("m", "v", stringer{s}) }},
	{"bytes", func(l *slog.Logger, s string) { l.Info("m", "body", []byte(s)) }},
	{"log valuer", func(l *slog.Logger, s string) { l.Info("m", "v", valuer{s}) }},
	{"struct", func(l *slog.Logger, s string) {
		c := upstreamCall{URL: "https://api.example.com/v1", Status: 401, Body: s, Headers: map[string]string{"X-Trace": s}}
		c.Nested.Note = []string{"ok", s}
		l.Info("m", slog.Any("call", c))
	}},
	{"struct pointer", func(l *slog.Logger, s string) { l.Info("m", slog.Any("call", &upstreamCall{Body: s})) }},
	{"map", func(l *slog.Logger, s string) { l.Info("m", slog.Any("m", map[string]any{"note": s, "n": 1})) }},
	{"slice", func(l *slog.Logger, s string) { l.Info("m", slog.Any("list", []string{"a", s})) }},
	{"raw json", func(l *slog.Logger, s string) {
		doc, _ := json.Marshal(map[string]string{"note": s})
		l.Info("m", slog.Any("doc", json.RawMessage(doc)))
	}},
	{"value rendered with %v", func(l *slog.Logger, s string) { l.Info("m", slog.Any("v", notJSON{Note: s})) }},
	{"with attrs", func(l *slog.Logger, s string) { l.With("detail", s).Info("m") }},
	{"with group", func(l *slog.Logger, s string) { l.WithGroup("g").With("detail", s).Info("m", "more", s) }},
	{"key", func(l *slog.Logger, s string) { l.Info("m", slog.Int(s, 1)) }},
}

func TestHandlerScrubsEverywhere(t *testing.T) {
	for _, c := range corpus(t) {
		for _, p := range placements {
			var buf bytes.Buffer
			l := New(&buf, slog.LevelInfo).With("org", orgID)
			p.log(l.With("model", model, "latency_ms", latency), c.text)
			out := buf.String()
			if strings.Contains(out, c.secret) {
				t.Errorf("%s in %s: secret in output bytes: %s", c.kind, p.name, out)
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Errorf("%s in %s: output is not one JSON object: %v\n%s", c.kind, p.name, err, out)
				continue
			}
			for _, s := range allStrings(rec) {
				if strings.Contains(s, c.secret) || scrub.Contains(s) {
					t.Errorf("%s in %s: secret in decoded field %q", c.kind, p.name, s)
				}
			}
			if rec["org"] != orgID || rec["model"] != model || rec["latency_ms"] != float64(latency) {
				t.Errorf("%s in %s: normal fields lost: %s", c.kind, p.name, out)
			}
		}
	}
}

// allStrings returns every string in a decoded JSON value, keys included.
func allStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(out, k)
			out = append(out, allStrings(x)...)
		}
		return out
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, allStrings(x)...)
		}
		return out
	}
	return nil
}
