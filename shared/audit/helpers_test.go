package audit_test

import (
	"strings"
	"unicode/utf8"
)

// Credential-shaped values that scrub recognizes: an OpenAI project key
// and a Tollgate API token (tgk_ and 40 base62).
var (
	openAIKey     = "sk-proj-" + "Q7hT2mXa9LpR4vWc8ZbN1kYs6DfG3jHu5EoI0qVt"
	tollgateToken = "tgk_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0"
	password      = "correct-horse-battery-staple"
)

func repeat(s string, n int) string { return strings.Repeat(s, n) }

func utf8Valid(s string) bool { return utf8.ValidString(s) }
