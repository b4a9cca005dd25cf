package member_test

import (
	"os"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/member"
)

// TestREADMEMatrixIsTheCodes keeps the README's permission table equal to
// the matrix the API enforces.
func TestREADMEMatrixIsTheCodes(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range member.Matrix() {
		line := "| " + strings.Join(row, " | ") + " |"
		if !strings.Contains(string(readme), line+"\n") {
			t.Errorf("README.md lacks the matrix row %q", line)
		}
	}
}
