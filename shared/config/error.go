package config

import (
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// Error is one problem with one variable. Problem never holds the value of
// a secret-named variable.
type Error struct {
	Name    string // the variable, such as TABLE_NAME
	Problem string // what is wrong, such as "is required but not set"
}

// Error returns "config: NAME: problem".
func (e *Error) Error() string { return "config: " + e.Name + ": " + e.Problem }

// secretWords mark a variable whose value must never appear in an error.
var secretWords = []string{"KEY", "SECRET", "TOKEN", "PASSWORD"}

// secretName reports whether a variable's name suggests its value is a
// credential. KMS_KEY_ARN matches too: a false alarm only hides a value.
func secretName(name string) bool {
	upper := strings.ToUpper(name)
	for _, w := range secretWords {
		if strings.Contains(upper, w) {
			return true
		}
	}
	return false
}

// maxQuoted bounds how much of a bad value an error repeats.
const maxQuoted = 64

// quote returns v, scrubbed, shortened and quoted, followed by a space, for
// use in an error message; or nothing when name suggests a secret.
func quote(name, v string) string {
	if secretName(name) {
		return ""
	}
	v = scrub.String(v)
	if len(v) > maxQuoted {
		v = v[:maxQuoted] + "..."
	}
	return strconv.Quote(v) + " "
}
