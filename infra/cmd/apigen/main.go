// Command apigen rewrites template.yaml's management API routes from
// shared/api/openapi.yaml (run from the repository root).
package main

import (
	"fmt"
	"os"

	"github.com/tollgate-dev/tollgate/infra/apigen"
)

func main() {
	tpl, err := os.ReadFile("template.yaml")
	if err == nil {
		tpl, err = apigen.Apply(tpl)
	}
	if err == nil {
		err = os.WriteFile("template.yaml", tpl, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}
