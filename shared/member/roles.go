package member

import (
	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Role is what a member may do in an org. Its string is the stable name the
// API and the stored items use.
type Role string

// The roles, from most to least powerful.
const (
	Owner     Role = "owner"     // everything, including deleting the org and managing owners
	Admin     Role = "admin"     // runs the org day to day: members, keys, budgets, retention, audit
	Developer Role = "developer" // builds with the gateway: tokens and aliases, reads the rest
	Viewer    Role = "viewer"    // reads settings and usage, changes nothing
)

// Roles lists every role from most to least powerful, the column order of Matrix.
func Roles() []Role { return []Role{Owner, Admin, Developer, Viewer} }

// ParseRole turns a client-supplied name into a Role, so an unknown role is
// refused at the edge instead of stored and silently granted nothing.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if r.Rank() == 0 {
		return "", apperr.New(apperr.Invalid, "invalid_role",
			"role must be one of owner, admin, developer, viewer").WithParam("role")
	}
	return r, nil
}

// Rank orders roles (owner 4 … viewer 1) so callers can compare power
// without listing roles; an unknown role ranks 0, below everyone.
func (r Role) Rank() int {
	switch r {
	case Owner:
		return 4
	case Admin:
		return 3
	case Developer:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r.Rank() > 0 }

// CanAssign reports whether a member with role actor may manage a member
// whose role is, or would become, target. Only an owner may grant or take
// away the owner role, so admins cannot seize or strip ownership; an admin
// may manage admins, developers and viewers; nobody else manages members.
// A role change needs CanChange: both the old and the new role count.
func CanAssign(actor, target Role) bool {
	if !target.Valid() {
		return false
	}
	switch actor {
	case Owner:
		return true
	case Admin:
		return target != Owner
	}
	return false
}

// CanChange reports whether actor may move a member from role from to role
// to: the actor must be allowed to manage both, so an admin can neither
// promote anyone to owner nor demote an owner.
func CanChange(actor, from, to Role) bool {
	return CanAssign(actor, from) && CanAssign(actor, to)
}
