package docscheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityMatrixNamesRealTests fails when a row of SECURITY.md names a
// test that does not exist, or a row names none.
func TestSecurityMatrixNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../../SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile("`((?:shared|infra|functions)/[a-z0-9/]+)\\.(Test[A-Za-z0-9_]+)`")
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "| API") {
			continue
		}
		rows++
		refs := ref.FindAllStringSubmatch(line, -1)
		if len(refs) == 0 {
			t.Errorf("row names no test: %.60s", line)
		}
		for _, r := range refs {
			if !defined(t, filepath.Join("../..", r[1]), r[2]) {
				t.Errorf("%s.%s does not exist", r[1], r[2])
			}
		}
	}
	if rows != 10 {
		t.Fatalf("%d OWASP rows, want 10", rows)
	}
}

func defined(t *testing.T, dir, name string) bool {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "\nfunc "+name+"(t *testing.T)") {
			return true
		}
	}
	return false
}
