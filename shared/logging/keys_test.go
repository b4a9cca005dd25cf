package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
)

func TestSecretKey(t *testing.T) {
	cases := []struct {
		key  string
		want bool
	}{
		{"authorization", true},
		{"Authorization", true},
		{"Proxy-Authorization", true},
		{"api_key", true},
		{"API-KEY", true},
		{"apikey", true},
		{"APIKey", true},
		{"x-api-key", true},
		{"X_API_KEY", true},
		{"openai_api_key", true},
		{"password", true},
		{"DB_PASSWORD", true},
		{"secret", true},
		{"client_secret", true},
		{"token", true},
		{"Token", true},
		{"session_token", true},
		{"Session-Token", true},
		{"SessionToken", true},
		{"x-amz-security-token", true},
		{"refresh_token", true},
		{"cookie", true},
		{"set-cookie", true},
		{"Set_Cookie", true},
		{"provider_key", true},
		{"PROVIDER-KEY", true},
		{"aws_secret_access_key", true},
		{"private_key", true},
		{"token_id", false},
		{"TokenID", false},
		{"tokens_in", false},
		{"max_tokens", false},
		{"api_key_id", false},
		{"key", false},
		{"secret_name", false},
		{"org", false},
		{"model", false},
		{"latency_ms", false},
		{"", false},
	}
	for _, c := range cases {
		if got := secretKey(c.key); got != c.want {
			t.Errorf("secretKey(%q) = %v, want %v", c.key, got, c.want)
		}
	}
}

// panicky is a Stringer whose String panics, as a buggy type's might.
type panicky struct{}

func (panicky) String() string { panic("boom sk-ant-api03-notarealkeynotarealkeynotarealkey00AA") }

// nilErr's Error dereferences its receiver, so a nil *nilErr panics.
type nilErr struct{ msg string }

func (e *nilErr) Error() string { return e.msg }

// body is a named byte slice, logged as text like []byte.
type body []byte

type credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	TokenID         string
	Provider        struct {
		Name        string
		ProviderKey string `json:"provider_key"`
	}
}

// record logs with the scrubbing handler and decodes the one JSON line.
func record(t *testing.T, opts *slog.HandlerOptions, log func(*slog.Logger)) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	log(slog.New(NewHandler(&buf, opts)))
	if buf.Len() == 0 {
		return nil
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, buf.String())
	}
	return rec
}

func TestSecretNamedKeysAreRedacted(t *testing.T) {
	creds := credentials{AccessKeyID: "not-a-key", SecretAccessKey: "plain", SessionToken: "plain", TokenID: "tok_0123456789abcdefghjk"}
	creds.Provider.Name = "openai"
	creds.Provider.ProviderKey = "plain"
	cases := []struct {
		name string
		log  func(*slog.Logger)
		path []string
		want any
	}{
		{"string", func(l *slog.Logger) { l.Info("m", "password", "hunter2") }, []string{"password"}, redacted},
		{"int", func(l *slog.Logger) { l.Info("m", "token", 1234) }, []string{"token"}, redacted},
		{"header case", func(l *slog.Logger) { l.Info("m", "X-Api-Key", "abc") }, []string{"X-Api-Key"}, redacted},
		{"group value", func(l *slog.Logger) { l.Info("m", slog.Group("cookie", "a", "b")) }, []string{"cookie"}, redacted},
		{"inside group", func(l *slog.Logger) { l.Info("m", slog.Group("req", "authorization", "x")) }, []string{"req", "authorization"}, redacted},
		{"with attrs", func(l *slog.Logger) { l.With("api_key", "abc").Info("m") }, []string{"api_key"}, redacted},
		{"secret group hides all", func(l *slog.Logger) { l.WithGroup("provider_key").Info("m", "value", "abc") }, []string{"provider_key", "value"}, redacted},
		{"secret group hides with attrs", func(l *slog.Logger) { l.WithGroup("secret").With("v", "abc").Info("m") }, []string{"secret", "v"}, redacted},
		{"struct field", func(l *slog.Logger) { l.Info("m", "creds", creds) }, []string{"creds", "SecretAccessKey"}, redacted},
		{"struct session token", func(l *slog.Logger) { l.Info("m", "creds", creds) }, []string{"creds", "SessionToken"}, redacted},
		{"struct json tag", func(l *slog.Logger) { l.Info("m", "creds", creds) }, []string{"creds", "Provider", "provider_key"}, redacted},
		{"map entry", func(l *slog.Logger) {
			l.Info("m", "headers", map[string][]string{"Authorization": {"x"}, "Accept": {"*/*"}})
		}, []string{"headers", "Authorization"}, redacted},
		{"normal key kept", func(l *slog.Logger) { l.Info("m", "tokens_in", 1200) }, []string{"tokens_in"}, float64(1200)},
		{"token id kept", func(l *slog.Logger) { l.Info("m", "token_id", "tok_0123456789abcdefghjk") }, []string{"token_id"}, "tok_0123456789abcdefghjk"},
		{"struct normal field kept", func(l *slog.Logger) { l.Info("m", "creds", creds) }, []string{"creds", "TokenID"}, "tok_0123456789abcdefghjk"},
		{"struct nested kept", func(l *slog.Logger) { l.Info("m", "creds", creds) }, []string{"creds", "Provider", "Name"}, "openai"},
		{"map entry kept", func(l *slog.Logger) {
			l.Info("m", "headers", map[string][]string{"Authorization": {"x"}, "Accept": {"*/*"}})
		}, []string{"headers", "Accept"}, []any{"*/*"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := record(t, nil, c.log)
			var got any = rec
			for _, k := range c.path {
				m, ok := got.(map[string]any)
				if !ok {
					t.Fatalf("no %v in %v", c.path, rec)
				}
				got = m[k]
			}
			if g, _ := json.Marshal(got); string(g) != mustJSON(t, c.want) {
				t.Errorf("%v = %s, want %s (record %v)", c.path, g, mustJSON(t, c.want), rec)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHandlerEdges(t *testing.T) {
	var nilErrPtr *nilErr
	cases := []struct {
		name string
		opts *slog.HandlerOptions
		log  func(*slog.Logger)
		key  string
		want any
	}{
		{"level filters", &slog.HandlerOptions{Level: slog.LevelWarn}, func(l *slog.Logger) { l.Info("m", "a", 1) }, "", nil},
		{"level passes", &slog.HandlerOptions{Level: slog.LevelWarn}, func(l *slog.Logger) { l.Warn("m", "a", 1) }, "a", float64(1)},
		{"replace attr still applies", &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "a" {
				a.Value = slog.StringValue("replaced")
			}
			return a
		}}, func(l *slog.Logger) { l.Info("m", "a", 1) }, "a", "replaced"},
		{"nil error pointer", nil, func(l *slog.Logger) { l.Info("m", "err", error(nilErrPtr)) }, "err", "<nil>"},
		{"nil any", nil, func(l *slog.Logger) { l.Info("m", "v", nil) }, "v", nil},
		{"panicking stringer", nil, func(l *slog.Logger) { l.Info("m", "v", panicky{}) }, "v",
			"%!v(PANIC=String method: boom [REDACTED:anthropic_key])"},
		{"named byte slice", nil, func(l *slog.Logger) { l.Info("m", "v", body("api_key=abc123")) }, "v", "api_key=[REDACTED:api_key]"},
		{"duration", nil, func(l *slog.Logger) { l.Info("m", "v", slog.DurationValue(1500)) }, "v", float64(1500)},
		{"empty attr dropped in secret group", nil, func(l *slog.Logger) { l.WithGroup("token").Info("m", slog.Attr{}, "a", 1) },
			"token", map[string]any{"a": redacted}},
		{"empty group name", nil, func(l *slog.Logger) { l.WithGroup("").Info("m", "a", "b") }, "a", "b"},
		{"error joined", nil, func(l *slog.Logger) { l.Info("m", "err", errors.Join(errors.New("a"), errors.New("b"))) }, "err", "a\nb"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := record(t, c.opts, c.log)
			if c.key == "" {
				if rec != nil {
					t.Fatalf("got a record %v, want none", rec)
				}
				return
			}
			if rec == nil {
				t.Fatal("no record")
			}
			if got := mustJSON(t, rec[c.key]); got != mustJSON(t, c.want) {
				t.Errorf("%s = %s, want %s", c.key, got, mustJSON(t, c.want))
			}
		})
	}
}
