package dataset

import (
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// ValidName reports whether name can name a dataset: 1-100 characters of
// valid UTF-8, not all blank, without control characters or credential
// shapes. The name is stored in clear (List shows it without opening
// anything), so it must not smuggle a secret into the table.
func ValidName(name string) bool {
	if strings.TrimSpace(name) == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLen {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return !scrub.Contains(name)
}
