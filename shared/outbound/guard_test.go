package outbound

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// guardHome is this package, which builds the one guarded client.
const guardHome = "shared/outbound/"

// TestNoUnguardedHTTPClients fails when code outside this package (and
// outside infra/) could send a request around the SSRF checks of DESIGN §9.
func TestNoUnguardedHTTPClients(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	files := 0
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if d.IsDir() {
			// Directories the go tool ignores, and nested modules.
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			if path != root && fileExists(filepath.Join(path, "go.mod")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		if strings.HasPrefix(rel, guardHome) || exempt(rel) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		found = append(found, scanHTTPUse(t, fset, rel, src)...)
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	if files == 0 {
		t.Fatalf("no Go files found under %s", root)
	}
	for _, f := range found {
		t.Errorf("%s: use shared/outbound instead", f)
	}
}

// exempt lists the only trees that may build their own HTTP clients: the
// local stack and tooling talk to local emulators, never to a
// tenant-controlled URL.
func exempt(rel string) bool {
	for _, p := range []string{"infra/"} {
		if strings.HasPrefix(rel, p) {
			return true
		}
	}
	return false
}

// banned reports whether name is a net/http function or variable that sends
// requests without the outbound checks.
func banned(name string) bool {
	switch name {
	case "Get", "Post", "Head", "PostForm", "DefaultClient", "DefaultTransport":
		return true
	}
	return false
}

// scanHTTPUse parses src and returns "file:line: what" for every banned use
// of net/http, whatever name the package is imported under.
func scanHTTPUse(t *testing.T, fset *token.FileSet, name string, src []byte) []string {
	t.Helper()
	file, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		t.Errorf("parse %s: %v", name, err)
		return nil
	}
	var found []string
	report := func(n ast.Node, what string) {
		found = append(found, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	local := map[string]bool{}
	for _, imp := range file.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p != "net/http" {
			continue
		}
		switch {
		case imp.Name == nil:
			local["http"] = true
		case imp.Name.Name == ".":
			report(imp, "dot import of net/http")
		case imp.Name.Name != "_":
			local[imp.Name.Name] = true
		}
	}
	if len(local) == 0 {
		return found
	}
	// A *http.Client or *http.Transport only names a type (a parameter, a
	// field filled by injection); any other use of the bare type builds a
	// value: a literal, new(), or a zero value that falls back to
	// http.DefaultTransport.
	pointed := map[*ast.SelectorExpr]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		if star, ok := n.(*ast.StarExpr); ok {
			if sel, ok := star.X.(*ast.SelectorExpr); ok {
				pointed[sel] = true
			}
		}
		return true
	})
	ast.Inspect(file, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok || !local[pkg.Name] {
			return true
		}
		switch name := sel.Sel.Name; {
		case name == "Client" || name == "Transport":
			if !pointed[sel] {
				report(sel, "builds an http."+name)
			}
		case banned(name):
			report(sel, "uses http."+name)
		}
		return true
	})
	return found
}

// moduleRoot walks up from the package directory to the go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for !fileExists(filepath.Join(dir, "go.mod")) {
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
	return dir
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestGuardDetects proves the scanner catches each banned form, so the
// repository-wide test cannot pass by seeing nothing.
func TestGuardDetects(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // the "what" of each finding, in order
	}{
		{"client literal", `c := http.Client{Timeout: 1}; _ = c`, []string{"builds an http.Client"}},
		{"client pointer literal", `_ = &http.Client{}`, []string{"builds an http.Client"}},
		{"transport literal", `_ = &http.Transport{}`, []string{"builds an http.Transport"}},
		{"new client", `_ = new(http.Client)`, []string{"builds an http.Client"}},
		{"zero client", `var c http.Client; _ = c`, []string{"builds an http.Client"}},
		{"get", `_, _ = http.Get("https://x")`, []string{"uses http.Get"}},
		{"post", `_, _ = http.Post("https://x", "", nil)`, []string{"uses http.Post"}},
		{"head", `_, _ = http.Head("https://x")`, []string{"uses http.Head"}},
		{"post form", `_, _ = http.PostForm("https://x", nil)`, []string{"uses http.PostForm"}},
		{"function value", `f := http.Get; _ = f`, []string{"uses http.Get"}},
		{"default client", `_ = http.DefaultClient.Do`, []string{"uses http.DefaultClient"}},
		{"default transport clone", `_ = http.DefaultTransport.(*http.Transport).Clone()`, []string{"uses http.DefaultTransport"}},
		{"injected pointer", `var c *http.Client; var tr *http.Transport; _, _ = c, tr`, nil},
		{"request building", `_, _ = http.NewRequest("GET", "https://x", nil); _ = http.StatusOK`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package p\nimport \"net/http\"\nfunc f() {\n" + tt.src + "\n}\n"
			assertFindings(t, src, tt.want)
		})
	}
	t.Run("aliased import", func(t *testing.T) {
		assertFindings(t, "package p\nimport web \"net/http\"\nvar _ = &web.Client{}\nvar _ = web.DefaultClient\n",
			[]string{"builds an http.Client", "uses http.DefaultClient"})
	})
	t.Run("dot import", func(t *testing.T) {
		assertFindings(t, "package p\nimport . \"net/http\"\nvar _ = StatusOK\n", []string{"dot import of net/http"})
	})
	t.Run("other package named http", func(t *testing.T) {
		assertFindings(t, "package p\nimport http \"example.com/http\"\nvar _ = http.Client{}\n", nil)
	})
}

func assertFindings(t *testing.T, src string, want []string) {
	t.Helper()
	got := scanHTTPUse(t, token.NewFileSet(), "p.go", []byte(src))
	if len(got) != len(want) {
		t.Fatalf("findings %q, want %d %q", got, len(want), want)
	}
	for i, f := range got {
		if !strings.HasPrefix(f, "p.go:") || !strings.HasSuffix(f, ": "+want[i]) {
			t.Errorf("finding %q, want p.go:<line>:<col>: %s", f, want[i])
		}
	}
}
