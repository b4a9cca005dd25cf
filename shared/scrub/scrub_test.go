package scrub

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sample is one line of testdata/credentials.txt with the secret put in place.
type sample struct {
	line         int
	kind, secret string
	input, want  string
}

// field unquotes f when it is written as a Go string literal.
func field(t *testing.T, f string) string {
	t.Helper()
	if strings.HasPrefix(f, `"`) {
		if u, err := strconv.Unquote(f); err == nil {
			return u
		}
	}
	return f
}

// readLines returns the non-blank, non-comment lines of a testdata file with
// their line numbers.
func readLines(t *testing.T, path string) map[int]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out[n] = l
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func credentials(t *testing.T) []sample {
	t.Helper()
	var out []sample
	for n, l := range readLines(t, "testdata/credentials.txt") {
		parts := strings.Split(l, "\t")
		if len(parts) != 3 {
			t.Fatalf("credentials.txt:%d: want kind<TAB>secret<TAB>context, got %d fields", n, len(parts))
		}
		kind, secret, ctx := parts[0], field(t, parts[1]), field(t, parts[2])
		if !strings.Contains(ctx, "{}") {
			t.Fatalf("credentials.txt:%d: context has no {}", n)
		}
		out = append(out, sample{
			line:   n,
			kind:   kind,
			secret: secret,
			input:  strings.ReplaceAll(ctx, "{}", secret),
			want:   strings.ReplaceAll(ctx, "{}", "[REDACTED:"+kind+"]"),
		})
	}
	return out
}

func TestStringRedactsCorpus(t *testing.T) {
	for _, s := range credentials(t) {
		got := String(s.input)
		if got != s.want {
			t.Errorf("credentials.txt:%d (%s):\n got %q\nwant %q", s.line, s.kind, got, s.want)
		}
		if strings.Contains(got, s.secret) {
			t.Errorf("credentials.txt:%d (%s): secret survived", s.line, s.kind)
		}
		if !Contains(s.input) {
			t.Errorf("credentials.txt:%d (%s): Contains = false", s.line, s.kind)
		}
		if Contains(got) {
			t.Errorf("credentials.txt:%d (%s): Contains(redacted) = true for %q", s.line, s.kind, got)
		}
		if again := String(got); again != got {
			t.Errorf("credentials.txt:%d (%s): not idempotent:\n%q\n%q", s.line, s.kind, got, again)
		}
	}
}

func TestCorpusCoversEveryShape(t *testing.T) {
	samples := credentials(t)
	if len(samples) < 30 {
		t.Fatalf("corpus has %d samples, want at least 30", len(samples))
	}
	seen := map[string]int{}
	for _, s := range samples {
		seen[s.kind]++
	}
	for _, r := range rules {
		if seen[r.kind] == 0 {
			t.Errorf("no sample of kind %s", r.kind)
		}
	}
}

func TestStringKeepsCleanText(t *testing.T) {
	lines := readLines(t, "testdata/clean.txt")
	if len(lines) < 30 {
		t.Fatalf("clean.txt has %d lines, want at least 30", len(lines))
	}
	for n, l := range lines {
		if got := String(l); got != l {
			t.Errorf("clean.txt:%d changed:\n got %q\nwant %q", n, got, l)
		}
		if Contains(l) {
			t.Errorf("clean.txt:%d: Contains = true", n)
		}
	}
}

func TestStringShapes(t *testing.T) {
	tgk := "tgk_" + strings.Repeat("aB3", 13) + "x"
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"two secrets one line",
			"key " + tgk + " and " + tgk,
			"key [REDACTED:tollgate_token] and [REDACTED:tollgate_token]"},
		{"tgk too short", "tgk_" + strings.Repeat("a", 39), "tgk_" + strings.Repeat("a", 39)},
		{"tgk too long", tgk + "z", tgk + "z"},
		{"tgk glued to a word", "x" + tgk, "x" + tgk},
		{"tgk after JSON escape", `"\n` + tgk + `"`, `"\n[REDACTED:tollgate_token]"`},
		{"tgk at end of sentence", "revoked " + tgk + ".", "revoked [REDACTED:tollgate_token]."},
		{"aws key id too long", "AKIAFAKEEXAMPLE123456", "AKIAFAKEEXAMPLE123456"},
		{"aws key id lower case", "akiafakeexample12345", "akiafakeexample12345"},
		{"secret_key wrong length", "secret_key: " + strings.Repeat("A", 39), "secret_key: [REDACTED:secret]"},
		{"bearer prose", "a Bearer instrument", "a Bearer instrument"},
		{"bearer short", "Bearer abc1", "Bearer abc1"},
		{"basic not base64 credentials", "Basic dGVzdA==", "Basic dGVzdA=="},
		{"url without password", "https://user@example.com/x", "https://user@example.com/x"},
		{"url with port only", "http://localhost:8080/v1", "http://localhost:8080/v1"},
		{"password placeholder", `{"password": null}`, `{"password": null}`},
		{"short token value", "token: 1234", "token: 1234"},
		{"quoted value with escaped quote", `{"password":"a\"b c"}`, `{"password":"[REDACTED:password]"}`},
		{"already redacted", "api_key=[REDACTED] token=[REDACTED:jwt]", "api_key=[REDACTED] token=[REDACTED:jwt]"},
		{"hex digest alone", strings.Repeat("ab", 32), strings.Repeat("ab", 32)},
		{"uuid", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
		{"value never taken from the next line", "secret:\nnext: line", "secret:\nnext: line"},
		{"keyword repeated inside its own value",
			"token=token=token=abcdefgh12 model=gpt-4o",
			"token=[REDACTED:token] model=gpt-4o"},
		{"secret deep in long text",
			strings.Repeat("filler text; ", 10000) + "key " + tgk + strings.Repeat(" more", 10000),
			strings.Repeat("filler text; ", 10000) + "key [REDACTED:tollgate_token]" + strings.Repeat(" more", 10000)},
		{"multi-line PEM keeps surroundings",
			"before\n-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\nafter",
			"before\n[REDACTED:private_key]\nafter"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := String(c.in); got != c.want {
				t.Errorf("String(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

// TestHintsStartEveryMatch checks the invariant find relies on: every match
// of a rule, searched for anywhere in the corpus, begins with one of the
// rule's hints. A rule whose hints missed a form would silently skip it.
func TestHintsStartEveryMatch(t *testing.T) {
	var texts []string
	for _, s := range credentials(t) {
		texts = append(texts, s.input)
	}
	for _, l := range readLines(t, "testdata/clean.txt") {
		texts = append(texts, l)
	}
	for _, r := range rules {
		p := r.re.String()
		free := regexp.MustCompile(strings.TrimSuffix(strings.TrimPrefix(p, "^(?:"), ")"))
		for _, text := range texts {
			for _, loc := range free.FindAllStringIndex(text, -1) {
				if !startsWithHint(text[loc[0]:], r.hints, r.follow) {
					t.Errorf("%s: match %q starts with none of %q followed by %q", r.kind, text[loc[0]:loc[1]], r.hints, r.follow)
				}
			}
		}
	}
}

func startsWithHint(s string, hints []string, follow string) bool {
	for _, h := range hints {
		if len(s) >= len(h) && strings.EqualFold(s[:len(h)], h) &&
			(follow == "" || len(s) > len(h) && strings.IndexByte(follow, s[len(h)]) >= 0) {
			return true
		}
	}
	return false
}

func TestStringReturnsInputWhenClean(t *testing.T) {
	in := "request completed org=org_0123456789abcdefghjk status=200"
	allocs := testing.AllocsPerRun(100, func() { _ = String(in) })
	if allocs != 0 {
		t.Errorf("String on clean text allocates %.0f times, want 0", allocs)
	}
}

func TestMergeJoinsOverlaps(t *testing.T) {
	cases := []struct {
		name string
		in   []span
		want []span
	}{
		{"none", nil, nil},
		{"disjoint", []span{{5, 8, 1}, {0, 2, 3}}, []span{{0, 2, 3}, {5, 8, 1}}},
		{"adjacent stay apart", []span{{0, 4, 2}, {4, 6, 1}}, []span{{0, 4, 2}, {4, 6, 1}}},
		{"nested takes earliest rule", []span{{0, 10, 5}, {2, 4, 1}}, []span{{0, 10, 1}}},
		{"chain", []span{{0, 3, 4}, {2, 6, 2}, {5, 9, 3}}, []span{{0, 9, 2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := merge(append([]span(nil), c.in...))
			if len(got) != len(c.want) {
				t.Fatalf("merge = %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("merge = %v, want %v", got, c.want)
				}
			}
		})
	}
}

func BenchmarkString(b *testing.B) {
	inputs := map[string]string{
		"clean": `{"time":"2025-01-01T00:00:00Z","level":"INFO","msg":"request completed","org":"org_0123456789abcdefghjk","ws":"ws_abcdefghjkmnpqrstvwx","model":"gpt-4o-mini","provider":"openai","status":200,"latency_ms":412,"path":"/v1/chat/completions"}`,
		"dirty": `upstream 401: {"error":{"message":"Incorrect API key provided: sk-proj-dIklvNPKki0_JAikVgVjdcQRMYgO1lv3ndcR4NLnqrvuS0qG3XVooanMn7NIYsP6SBc7p6YJRIT3BlbkFJICW9XSjdkFgZfDmFJtE","type":"invalid_request_error"}} Authorization: Bearer tgk_aB3aB3aB3aB3aB3aB3aB3aB3aB3aB3aB3aB3aB3x`,
	}
	// A large upstream error body with a few secrets far apart: the cost
	// must stay proportional to the length.
	inputs["large"] = strings.Repeat(inputs["clean"]+"\n", 2000) + inputs["dirty"] + strings.Repeat(inputs["clean"]+"\n", 2000)
	for name, in := range inputs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				_ = String(in)
			}
		})
	}
}
