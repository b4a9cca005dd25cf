package logging

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// credential is one sample of the scrubber's corpus: a secret and a line of
// text that holds it.
type credential struct {
	kind, secret, text string
}

// corpus reads the scrubber's golden corpus, the one list of credential
// shapes the whole project tests against.
func corpus(t testing.TB) []credential {
	t.Helper()
	f, err := os.Open("../scrub/testdata/credentials.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unquote := func(s string) string {
		if u, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
			return u
		}
		return s
	}
	var out []credential
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		p := strings.Split(l, "\t")
		if len(p) != 3 {
			t.Fatalf("bad corpus line %q", l)
		}
		secret := unquote(p[1])
		out = append(out, credential{kind: p[0], secret: secret, text: strings.ReplaceAll(unquote(p[2]), "{}", secret)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 20 {
		t.Fatalf("corpus has %d samples, want at least 20", len(out))
	}
	return out
}
