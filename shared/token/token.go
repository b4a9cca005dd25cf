package token

import "time"

// Statuses a token is listed with.
const (
	// StatusActive: the current secret works.
	StatusActive = "active"
	// StatusRotating: the current secret works, and the secret it replaced
	// still works until GraceEnds, so deployments can switch over.
	StatusRotating = "rotating"
	// StatusExpired: past Expires; no secret works. The retention job
	// purges the record some time later.
	StatusExpired = "expired"
	// StatusRevoked: revoked by a person; no secret works.
	StatusRevoked = "revoked"
)

// Token is what the management API shows about a token. It deliberately
// has no field for the secret or its hash: whatever renders a Token (JSON,
// logs, audit) cannot leak either.
type Token struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"` // the secret's first characters, to tell tokens apart
	Workspace string     `json:"workspace"`
	Member    string     `json:"member,omitempty"`
	Scopes    []string   `json:"scopes"`
	Created   time.Time  `json:"created"`
	Expires   time.Time  `json:"expires"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	Revoked   *time.Time `json:"revoked,omitempty"`
	// GraceEnds is when the secret replaced by the last rotation stops
	// working; set while Status is "rotating".
	GraceEnds *time.Time `json:"grace_ends,omitempty"`
	CapNano   int64      `json:"cap_nano"`
	RPM       int64      `json:"rpm"`
	TPM       int64      `json:"tpm"`
	Status    string     `json:"status"`
}

// view is r as shown at now.
func (r *record) view(now time.Time) Token {
	t := Token{
		ID: r.ID, Name: r.Name, Prefix: r.Prefix, Workspace: r.Workspace, Member: r.Member,
		Scopes: normalScopes(r.Scopes), Created: r.Created, Expires: r.ValidUntil,
		CapNano: r.CapNano, RPM: r.RPM, TPM: r.TPM, Status: r.status(now),
	}
	opt := func(x time.Time) *time.Time {
		if x.IsZero() {
			return nil
		}
		return &x
	}
	t.LastUsed, t.Revoked = opt(r.LastUsed), opt(r.Revoked)
	if t.Status == StatusRotating {
		t.GraceEnds = opt(r.PrevValidUntil)
	}
	return t
}

func (r *record) status(now time.Time) string {
	switch {
	case !r.Revoked.IsZero():
		return StatusRevoked
	case !now.Before(r.ValidUntil):
		return StatusExpired
	case now.Before(r.PrevValidUntil): // zero when never rotated
		return StatusRotating
	}
	return StatusActive
}
