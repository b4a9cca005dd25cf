package member

import (
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// Member is a person in an org, with the role that decides what they may do.
type Member struct {
	ID      string // usr_…, assigned by Add when empty
	Email   string // unique per org, compared case-insensitively
	Name    string // display name, optional
	Role    Role
	Created time.Time // assigned by Add when zero
}

// Limits on member fields: 254 bytes is the longest address SMTP can carry
// (RFC 5321); 100 characters keeps names displayable and items small.
const (
	MaxEmailBytes = 254
	MaxNameRunes  = 100
)

// validate checks m's fields and returns it with the email and name trimmed,
// so what is stored is what was checked.
func validate(m Member) (Member, error) {
	m.Email = strings.TrimSpace(m.Email)
	m.Name = strings.TrimSpace(m.Name)
	switch {
	case len(m.Email) > MaxEmailBytes:
		return m, invalid("email_too_long", "email must be at most 254 bytes", "email")
	case !utf8.ValidString(m.Email) || !emailShape(m.Email):
		return m, invalid("invalid_email", "email must be a plain address such as ada@example.com", "email")
	case !utf8.ValidString(m.Name) || strings.IndexFunc(m.Name, unicode.IsControl) >= 0:
		return m, invalid("invalid_name", "name must be UTF-8 text without control characters", "name")
	case utf8.RuneCountInString(m.Name) > MaxNameRunes:
		return m, invalid("name_too_long", "name must be at most 100 characters", "name")
	case m.ID != "" && !id.Valid(id.Member, m.ID):
		return m, invalid("invalid_member_id", "member id is not valid", "id")
	}
	if _, err := ParseRole(string(m.Role)); err != nil {
		return m, err
	}
	return m, nil
}

// emailShape accepts a bare addr-spec whose domain has at least one dot:
// no display name, no angle brackets, nothing net/mail would rewrite.
func emailShape(e string) bool {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e {
		return false
	}
	domain := e[strings.LastIndexByte(e, '@')+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// emailKey is the guard item's key for an email: a hash, so the key has a
// fixed length and never holds a '#', and case or surrounding spaces do not
// make a second member.
func emailKey(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

func invalid(code, msg, param string) error {
	return apperr.New(apperr.Invalid, code, msg).WithParam(param)
}
