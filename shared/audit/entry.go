package audit

import (
	"net/netip"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// IDPrefix starts every audit entry ID, so a misplaced one is obvious in logs.
const IDPrefix = "aud_"

// Actor kinds: who performed the action.
const (
	ActorMember   = "member"   // a signed-in member of the org
	ActorToken    = "token"    // an API token acting for the org
	ActorOperator = "operator" // Tollgate's own operators (support, incident response)
	ActorSystem   = "system"   // Tollgate's scheduled jobs (e.g. the verification loop's auto-rollback)
)

// Results an entry may record; empty means the caller did not say.
const (
	ResultOK     = "ok"     // the action took effect
	ResultDenied = "denied" // the caller lacked the role, scope or ownership
	ResultFailed = "failed" // the action was allowed but did not complete
)

// Limits on an entry's fields, so one entry stays a small item and a
// hostile client cannot fill the log with a huge header.
const (
	MaxActionLen    = 64
	MaxActorLen     = 128
	MaxTargetIDLen  = 256
	MaxWorkspaceLen = 64
	MaxUserAgentLen = 256 // longer user agents are truncated, not refused
)

// Entry is one audited action. Append fills ID and Time when they are empty
// and returns the entry exactly as stored; List and Export return the same.
type Entry struct {
	ID         string         `json:"id"`
	Org        string         `json:"org"`
	Time       time.Time      `json:"time"`       // UTC
	Actor      string         `json:"actor"`      // member or token ID, or an operator's name
	ActorKind  string         `json:"actor_kind"` // ActorMember, ActorToken, ActorOperator or ActorSystem
	Action     string         `json:"action"`     // stable dotted name, e.g. "token.rotate"
	TargetType string         `json:"target_type,omitempty"`
	TargetID   string         `json:"target_id,omitempty"`
	Workspace  string         `json:"workspace,omitempty"`
	SourceIP   string         `json:"source_ip,omitempty"`
	UserAgent  string         `json:"user_agent,omitempty"`
	Before     map[string]any `json:"before,omitempty"` // the object before the action, where safe
	After      map[string]any `json:"after,omitempty"`  // the object after the action, where safe
	Result     string         `json:"result,omitempty"`
}

var (
	// actionRE is a stable dotted name: a noun and at least one verb part.
	actionRE = regexp.MustCompile(`^[a-z]+(\.[a-z_]+)+$`)
	// targetTypeRE names a kind of object ("token", "provider_key").
	targetTypeRE = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)
)

// ValidAction reports whether a is an acceptable action name. Callers that
// build actions at run time can check before appending.
func ValidAction(a string) bool { return len(a) <= MaxActionLen && actionRE.MatchString(a) }

func invalid(code, param, msg string) error {
	return apperr.New(apperr.Invalid, code, msg).WithParam(param)
}

// normalize checks e and returns it ready to store: ID and Time filled,
// Time in UTC, the user agent made valid UTF-8, scrubbed and truncated, and
// Before and After made safe (see safeDiff).
func normalize(e Entry, now func() time.Time) (Entry, error) {
	if !id.Valid(id.Org, e.Org) {
		return e, invalid("invalid_org", "org", "org is not a valid organization ID")
	}
	switch {
	case e.ID == "":
		e.ID = id.New(IDPrefix)
	case !id.Valid(IDPrefix, e.ID):
		return e, invalid("invalid_audit_id", "id", "id is not a valid audit entry ID")
	case e.Time.IsZero():
		// A caller that fixes the ID is replaying an entry; filling a fresh
		// time would give the replay a different key and store it twice.
		return e, invalid("invalid_audit_time", "time", "an entry with an id must carry its original time")
	}
	if e.Time.IsZero() {
		e.Time = now()
	}
	e.Time = e.Time.UTC()
	if y := e.Time.Year(); y < 2000 || y > 9999 {
		return e, invalid("invalid_audit_time", "time", "time must be between the years 2000 and 9999")
	}
	if !ValidAction(e.Action) {
		return e, invalid("invalid_audit_action", "action", "action must be a dotted lower-case name such as token.rotate, at most 64 bytes")
	}
	switch e.ActorKind {
	case ActorMember, ActorToken, ActorOperator, ActorSystem:
	default:
		return e, invalid("invalid_audit_actor_kind", "actor_kind", "actor_kind must be member, token, operator or system")
	}
	if !plain(e.Actor, MaxActorLen) || e.Actor == "" {
		return e, invalid("invalid_audit_actor", "actor", "actor must be a printable identifier of at most 128 bytes")
	}
	if e.TargetType != "" && !targetTypeRE.MatchString(e.TargetType) {
		return e, invalid("invalid_audit_target", "target_type", "target_type must be a lower-case name of at most 32 bytes")
	}
	if !plain(e.TargetID, MaxTargetIDLen) {
		return e, invalid("invalid_audit_target", "target_id", "target_id must be printable, at most 256 bytes, and hold no credential")
	}
	if !plain(e.Workspace, MaxWorkspaceLen) {
		return e, invalid("invalid_audit_workspace", "workspace", "workspace must be a printable identifier of at most 64 bytes")
	}
	if e.SourceIP != "" {
		ip, err := netip.ParseAddr(e.SourceIP)
		if err != nil {
			return e, invalid("invalid_audit_source_ip", "source_ip", "source_ip must be an IPv4 or IPv6 address")
		}
		e.SourceIP = ip.String() // canonical form, so the same address always reads the same
	}
	switch e.Result {
	case "", ResultOK, ResultDenied, ResultFailed:
	default:
		return e, invalid("invalid_audit_result", "result", "result must be ok, denied or failed")
	}
	e.UserAgent = truncateUTF8(scrub.String(strings.ToValidUTF8(e.UserAgent, "\uFFFD")), MaxUserAgentLen)
	var err error
	if e.Before, err = safeDiff(e.Before, "before"); err != nil {
		return e, err
	}
	if e.After, err = safeDiff(e.After, "after"); err != nil {
		return e, err
	}
	return e, nil
}

// plain reports whether s is valid UTF-8 of at most max bytes, without
// control characters or '#' (which would blur a key), and without anything
// credential-shaped: identifiers are matched by filters, so they are
// refused rather than redacted.
func plain(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) || strings.ContainsRune(s, '#') || scrub.Contains(s) {
		return false
	}
	return strings.IndexFunc(s, unicode.IsControl) < 0
}

// truncateUTF8 cuts s to at most max bytes without splitting a rune.
func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
