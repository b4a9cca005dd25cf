package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// env returns a Reader over vars.
func env(vars map[string]string) *Reader {
	return New(func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	})
}

// problems returns the *Error values joined in err.
func problems(t *testing.T, err error) []*Error {
	t.Helper()
	if err == nil {
		return nil
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Err() = %T, want a joined error", err)
	}
	var out []*Error
	for _, e := range joined.Unwrap() {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("joined error %T is not *Error", e)
		}
		out = append(out, ce)
	}
	return out
}

// check asserts the reader's problems: none when want is empty, otherwise
// exactly one, for name, whose text holds want.
func check(t *testing.T, r *Reader, name, want string) {
	t.Helper()
	ps := problems(t, r.Err())
	if want == "" {
		if len(ps) != 0 {
			t.Fatalf("unexpected problems: %v", r.Err())
		}
		return
	}
	if len(ps) != 1 {
		t.Fatalf("got %d problems (%v), want 1", len(ps), r.Err())
	}
	if ps[0].Name != name || !strings.Contains(ps[0].Error(), want) {
		t.Fatalf("problem %q, want one for %s holding %q", ps[0].Error(), name, want)
	}
}

func TestString(t *testing.T) {
	cases := []struct {
		name    string
		vars    map[string]string
		want    string
		problem string
	}{
		{"set", map[string]string{"TABLE": "tollgate"}, "tollgate", ""},
		{"unset", nil, "", "config: TABLE: is required but not set"},
		{"empty", map[string]string{"TABLE": ""}, "", "is required but not set"},
		{"spaces kept", map[string]string{"TABLE": " a b "}, " a b ", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := env(c.vars)
			if got := r.String("TABLE"); got != c.want {
				t.Errorf("String = %q, want %q", got, c.want)
			}
			check(t, r, "TABLE", c.problem)
		})
	}
}

func TestStringOr(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"set", map[string]string{"STAGE": "prod"}, "prod"},
		{"unset", nil, "dev"},
		{"empty", map[string]string{"STAGE": ""}, "dev"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := env(c.vars)
			if got := r.StringOr("STAGE", "dev"); got != c.want {
				t.Errorf("StringOr = %q, want %q", got, c.want)
			}
			check(t, r, "STAGE", "")
		})
	}
}

func TestInt64(t *testing.T) {
	cases := []struct {
		name    string
		value   *string
		want    int64
		problem string
	}{
		{"unset", nil, 50, ""},
		{"empty", ptr(""), 50, ""},
		{"set", ptr("75"), 75, ""},
		{"spaces", ptr(" 75 "), 75, ""},
		{"min", ptr("1"), 1, ""},
		{"max", ptr("100"), 100, ""},
		{"minus zero", ptr("-0"), 50, `value "-0" is out of range [1,100]`},
		{"below", ptr("0"), 50, `value "0" is out of range [1,100]`},
		{"above", ptr("101"), 50, `value "101" is out of range [1,100]`},
		{"not a number", ptr("ten"), 50, `value "ten" is not an integer`},
		{"float", ptr("1.5"), 50, "is not an integer"},
		{"overflow", ptr("99999999999999999999"), 50, "is not an integer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]string{}
			if c.value != nil {
				vars["MAX_CONNS"] = *c.value
			}
			r := env(vars)
			if got := r.Int64("MAX_CONNS", 50, 1, 100); got != c.want {
				t.Errorf("Int64 = %d, want %d", got, c.want)
			}
			check(t, r, "MAX_CONNS", c.problem)
		})
	}
}

func TestDuration(t *testing.T) {
	cases := []struct {
		name    string
		value   *string
		want    time.Duration
		problem string
	}{
		{"unset", nil, time.Minute, ""},
		{"empty", ptr(""), time.Minute, ""},
		{"seconds", ptr("30s"), 30 * time.Second, ""},
		{"compound", ptr("1h30m"), 90 * time.Minute, ""},
		{"zero", ptr("0"), 0, ""},
		{"no unit", ptr("30"), time.Minute, `value "30" is not a duration`},
		{"garbage", ptr("soon"), time.Minute, `value "soon" is not a duration`},
		{"negative", ptr("-5s"), time.Minute, `value "-5s" is a negative duration`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]string{}
			if c.value != nil {
				vars["TIMEOUT"] = *c.value
			}
			r := env(vars)
			if got := r.Duration("TIMEOUT", time.Minute); got != c.want {
				t.Errorf("Duration = %v, want %v", got, c.want)
			}
			check(t, r, "TIMEOUT", c.problem)
		})
	}
}

func TestBool(t *testing.T) {
	cases := []struct {
		name    string
		value   *string
		want    bool
		problem string
	}{
		{"unset", nil, true, ""},
		{"empty", ptr(""), true, ""},
		{"false", ptr("false"), false, ""},
		{"FALSE", ptr("FALSE"), false, ""},
		{"0", ptr("0"), false, ""},
		{"true", ptr("true"), true, ""},
		{"spaces", ptr(" f "), false, ""},
		{"yes", ptr("yes"), true, `value "yes" is not a boolean`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]string{}
			if c.value != nil {
				vars["RETAIN"] = *c.value
			}
			r := env(vars)
			if got := r.Bool("RETAIN", true); got != c.want {
				t.Errorf("Bool = %v, want %v", got, c.want)
			}
			check(t, r, "RETAIN", c.problem)
		})
	}
}

func TestURL(t *testing.T) {
	cases := []struct {
		name    string
		value   *string
		want    string
		problem string
	}{
		{"https", ptr("https://api.openai.com/v1"), "https://api.openai.com/v1", ""},
		{"http with port", ptr("http://localhost:8000"), "http://localhost:8000", ""},
		{"upper-case scheme", ptr("HTTPS://example.com"), "https://example.com", ""},
		{"unset", nil, "", "is required but not set"},
		{"empty", ptr(""), "", "is required but not set"},
		{"relative", ptr("/v1/models"), "", `value "/v1/models" is not an http or https URL`},
		{"other scheme", ptr("ftp://example.com"), "", "is not an http or https URL"},
		{"no host", ptr("https:///path"), "", "is not an absolute URL with a host"},
		{"opaque", ptr("https:example.com"), "", "is not an absolute URL with a host"},
		{"unparseable", ptr("http://[::1"), "", "is not a valid URL"},
		{"password scrubbed", ptr("ftp://admin:hunter2hunter2@example.com"), "",
			`value "ftp://admin:[REDACTED:url_password]@example.com" is not an http or https URL`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]string{}
			if c.value != nil {
				vars["BASE_URL"] = *c.value
			}
			r := env(vars)
			got := r.URL("BASE_URL")
			switch {
			case c.want == "" && got != nil:
				t.Errorf("URL = %v, want nil", got)
			case c.want != "" && (got == nil || got.String() != c.want):
				t.Errorf("URL = %v, want %s", got, c.want)
			}
			check(t, r, "BASE_URL", c.problem)
			if strings.Contains(errString(r.Err()), "hunter2") {
				t.Errorf("password in error: %v", r.Err())
			}
		})
	}
}

func TestList(t *testing.T) {
	def := []string{"us-east-1"}
	cases := []struct {
		name  string
		value *string
		want  []string
	}{
		{"unset", nil, def},
		{"empty", ptr(""), def},
		{"only commas", ptr(" , ,"), def},
		{"one", ptr("eu-west-1"), []string{"eu-west-1"}},
		{"several trimmed", ptr(" a, b ,,c "), []string{"a", "b", "c"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]string{}
			if c.value != nil {
				vars["REGIONS"] = *c.value
			}
			r := env(vars)
			got := r.List("REGIONS", def)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("List = %q, want %q", got, c.want)
			}
			check(t, r, "REGIONS", "")
		})
	}
	t.Run("default not aliased", func(t *testing.T) {
		got := env(nil).List("REGIONS", def)
		got[0] = "changed"
		if def[0] != "us-east-1" {
			t.Errorf("List returned the caller's default slice")
		}
	})
}

func TestSecretValuesNeverInErrors(t *testing.T) {
	const bad = "sw0rdfish-not-a-number"
	cases := []struct {
		name string
		read func(r *Reader, name string)
	}{
		{"int", func(r *Reader, n string) { r.Int64(n, 0, 0, 10) }},
		{"duration", func(r *Reader, n string) { r.Duration(n, 0) }},
		{"bool", func(r *Reader, n string) { r.Bool(n, false) }},
		{"url", func(r *Reader, n string) { r.URL(n) }},
	}
	names := []string{"PROVIDER_KEY_TTL", "client_secret_rotation", "TOKEN_BUCKET_SIZE", "DB_PASSWORD_URL", "ApiKeyLimit"}
	for _, c := range cases {
		for _, name := range names {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				r := env(map[string]string{name: bad})
				c.read(r, name)
				err := r.Err()
				if err == nil {
					t.Fatal("no problem recorded")
				}
				msg := err.Error()
				if strings.Contains(msg, bad) || strings.Contains(msg, "sw0rd") {
					t.Errorf("secret value in error: %s", msg)
				}
				if !strings.Contains(msg, name) || !strings.HasPrefix(msg, "config: "+name+": value is ") {
					t.Errorf("error %q does not name %s and the problem", msg, name)
				}
			})
		}
	}
}

func TestQuoteShortensAndScrubs(t *testing.T) {
	long := strings.Repeat("x", 100)
	r := env(map[string]string{"N": long, "M": "Bearer tgk_aB3aB3aB3aB3aB3aB3aB3aB3aB3aB3aB3aB3aB3x"})
	r.Int64("N", 0, 0, 1)
	r.Int64("M", 0, 0, 1)
	msg := r.Err().Error()
	if strings.Contains(msg, long) || !strings.Contains(msg, strings.Repeat("x", 64)+`..."`) {
		t.Errorf("long value not shortened: %s", msg)
	}
	if strings.Contains(msg, "tgk_") {
		t.Errorf("credential in error: %s", msg)
	}
}

func TestErrCollectsEveryProblem(t *testing.T) {
	r := env(map[string]string{"PORT": "http", "TIMEOUT": "soon", "GOOD": "7"})
	r.String("TABLE")
	r.Int64("PORT", 8080, 1, 65535)
	r.Duration("TIMEOUT", time.Second)
	r.URL("BASE_URL")
	if got := r.Int64("GOOD", 0, 0, 10); got != 7 {
		t.Errorf("GOOD = %d", got)
	}
	ps := problems(t, r.Err())
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	if want := []string{"TABLE", "PORT", "TIMEOUT", "BASE_URL"}; !reflect.DeepEqual(names, want) {
		t.Errorf("problems for %v, want %v", names, want)
	}
	if err := env(nil).Err(); err != nil {
		t.Errorf("fresh reader Err = %v, want nil", err)
	}
}

func TestFromOS(t *testing.T) {
	t.Setenv("TOLLGATE_CONFIG_TEST_NAME", "from-os")
	r := FromOS()
	if got := r.String("TOLLGATE_CONFIG_TEST_NAME"); got != "from-os" {
		t.Errorf("String = %q, want from-os", got)
	}
	if err := r.Err(); err != nil {
		t.Error(err)
	}
}

func ptr(s string) *string { return &s }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
