package shadow

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/scrub"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// checkScope refuses IDs and names that are not Tollgate's before they
// become part of a key, so no caller can reach another partition by
// crafting one (an alias holding '#' could otherwise).
func checkScope(org, ws, alias string) error {
	if !id.Valid(id.Org, org) {
		return apperr.New(apperr.Internal, "invalid_org", "internal error")
	}
	if !id.Valid(id.Workspace, ws) {
		return invalid("invalid_workspace", "workspace", "no such workspace")
	}
	if !workspace.ValidAliasName(alias) {
		return invalid("invalid_alias", "alias", "not an alias name")
	}
	return nil
}

// validModel accepts a "connection/model" target as aliases hold them. The
// model is stored in clear, so it must not carry a credential either.
func validModel(m string) bool {
	t, ok := workspace.ParseTarget(m)
	if !ok || !workspace.ValidConnectionName(t.Connection) || len(t.Model) > workspace.MaxModelNameBytes ||
		!utf8.ValidString(t.Model) {
		return false
	}
	if strings.IndexFunc(t.Model, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return false
	}
	return !scrub.Contains(m)
}

// checkSample applies what Put requires of a sample's clear fields.
func checkSample(s Sample) error {
	if !validModel(s.Model) {
		return invalid("invalid_model", "model", "model must be a \"connection/model\" target")
	}
	if len(s.Messages) == 0 {
		return invalid(CodeInvalid, "messages", "a sample needs the request's messages")
	}
	if s.CostNano < 0 || s.PromptTokens < 0 || s.CompletionTokens < 0 {
		return invalid(CodeInvalid, "usage", "cost and token counts must not be negative")
	}
	if y := s.Time.UTC().Year(); !s.Time.IsZero() && (y < 1 || y > 9999) {
		return invalid(CodeInvalid, "time", "the sample's time is out of range")
	}
	return nil
}

// credential reports whether any text of s holds a credential shape. Only
// that it does is reported, never where in the text or what.
func credential(s Sample) bool {
	clean := s.texts(func(t string) bool { return !scrub.Contains(t) })
	return !clean
}
