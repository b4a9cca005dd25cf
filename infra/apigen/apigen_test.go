package apigen_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/tollgate-dev/tollgate/infra/apigen"
)

// TestTemplateRoutesMatchTheDocument fails when template.yaml's management
// API routes are not exactly what shared/api/openapi.yaml gives.
func TestTemplateRoutesMatchTheDocument(t *testing.T) {
	tpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := apigen.Apply(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tpl, want) {
		t.Fatal("template.yaml's API routes drifted from shared/api/openapi.yaml: run `go run ./infra/cmd/apigen`")
	}
}
