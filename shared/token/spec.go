package token

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// MaxNameLen bounds a token's name, in characters: it is a label for
// listings, not a place for data.
const MaxNameLen = 100

// Spec is what a caller asks for when creating a token.
type Spec struct {
	// Name tells people their tokens apart; 1–100 characters.
	Name string
	// Workspace (ws_…) is the workspace the token spends in.
	Workspace string
	// Member (usr_…) is the person the token acts for, whose current role
	// the management API checks on each call; empty for service tokens.
	Member string
	// Scopes is a non-empty subset of auth.AllScopes: least privilege is
	// explicit, never a default.
	Scopes []string
	// ExpiresIn is the token's lifetime, MinTTL..MaxTTL; zero means the
	// manager's DefaultTTL.
	ExpiresIn time.Duration
	// Per-token limits, zero meaning none: a monthly spend cap in nano-USD
	// and requests/tokens per minute.
	CapNano, RPM, TPM int64
}

// validate checks s and returns it normalized (scopes in auth.AllScopes
// order, ExpiresIn defaulted), or an Invalid error with a stable code.
func (m *Manager) validate(s Spec) (Spec, error) {
	if err := validName(s.Name); err != nil {
		return s, err
	}
	scopes, err := validScopes(s.Scopes)
	if err != nil {
		return s, err
	}
	s.Scopes = scopes
	if !id.Valid(id.Workspace, s.Workspace) {
		return s, invalid(CodeInvalidWorkspace, "workspace", "workspace must be a workspace ID (ws_…)")
	}
	if s.Member != "" && !id.Valid(id.Member, s.Member) {
		return s, invalid(CodeInvalidMember, "member", "member must be empty or a member ID (usr_…)")
	}
	if s.ExpiresIn == 0 {
		s.ExpiresIn = m.cfg.DefaultTTL
	}
	if s.ExpiresIn < MinTTL || s.ExpiresIn > m.cfg.MaxTTL {
		return s, invalid(CodeInvalidExpiry, "expires_in",
			"expires_in must be between "+MinTTL.String()+" and "+m.cfg.MaxTTL.String())
	}
	for _, l := range []struct {
		param string
		v     int64
	}{{"cap_nano", s.CapNano}, {"rpm", s.RPM}, {"tpm", s.TPM}} {
		if l.v < 0 {
			return s, invalid(CodeInvalidLimit, l.param, l.param+" must not be negative (0 means no limit)")
		}
	}
	return s, nil
}

func validName(name string) error {
	n := utf8.RuneCountInString(name)
	ok := utf8.ValidString(name) && n >= 1 && n <= MaxNameLen && strings.TrimSpace(name) != "" &&
		strings.IndexFunc(name, unicode.IsControl) < 0
	if !ok {
		return invalid(CodeInvalidName, "name", "name must be 1–100 printable characters")
	}
	return nil
}

// validScopes returns scopes in auth.AllScopes order.
func validScopes(scopes []string) ([]string, error) {
	if len(scopes) == 0 {
		return nil, invalid(CodeInvalidScopes, "scopes", "scopes must name at least one scope")
	}
	for i, s := range scopes {
		if !slices.Contains(auth.AllScopes, s) {
			return nil, invalid(CodeInvalidScopes, "scopes", "unknown scope; valid: "+strings.Join(auth.AllScopes, ", "))
		}
		if slices.Contains(scopes[:i], s) {
			return nil, invalid(CodeInvalidScopes, "scopes", "scopes must not repeat")
		}
	}
	return normalScopes(scopes), nil
}

// normalScopes orders scopes as auth.AllScopes does (any other scope, from
// a newer release, last and sorted), so listings are stable whatever order
// DynamoDB returns a string set in.
func normalScopes(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range auth.AllScopes {
		if slices.Contains(scopes, s) {
			out = append(out, s)
		}
	}
	var other []string
	for _, s := range scopes {
		if !slices.Contains(auth.AllScopes, s) {
			other = append(other, s)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}
