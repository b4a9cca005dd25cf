package member_test

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/member"
)

// holders pins the whole permission matrix, written independently of the
// package's table: which roles hold each permission.
var holders = map[member.Permission]string{
	member.OrgRead:        "owner admin developer viewer",
	member.OrgWrite:       "owner admin",
	member.OrgDelete:      "owner",
	member.OrgExport:      "owner admin",
	member.WorkspaceRead:  "owner admin developer viewer",
	member.WorkspaceWrite: "owner admin",
	member.MemberRead:     "owner admin developer viewer",
	member.MemberWrite:    "owner admin",
	member.TokenRead:      "owner admin developer viewer",
	member.TokenWrite:     "owner admin developer",
	member.KeyRead:        "owner admin developer viewer",
	member.KeyWrite:       "owner admin",
	member.BudgetRead:     "owner admin developer viewer",
	member.BudgetWrite:    "owner admin",
	member.AliasRead:      "owner admin developer viewer",
	member.AliasWrite:     "owner admin developer",
	member.RetentionRead:  "owner admin developer viewer",
	member.RetentionWrite: "owner admin",
	member.AuditRead:      "owner admin",
	member.EvalRead:       "owner admin developer viewer",
	member.EvalWrite:      "owner admin developer",
	member.RecommendApply: "owner admin",
}

func TestPermissionMatrixIsPinned(t *testing.T) {
	if len(member.Permissions()) != len(holders) {
		t.Fatalf("%d permissions, %d pinned", len(member.Permissions()), len(holders))
	}
	for _, p := range member.Permissions() {
		who, ok := holders[p]
		if !ok {
			t.Fatalf("permission %s is not pinned", p)
		}
		for _, r := range member.Roles() {
			want := false
			for _, h := range strings.Fields(who) {
				want = want || h == string(r)
			}
			if got := member.Allows(r, p); got != want {
				t.Errorf("Allows(%s, %s) = %v, want %v", r, p, got, want)
			}
		}
	}
}

func TestUnknownRoleOrPermissionIsRefused(t *testing.T) {
	for _, p := range member.Permissions() {
		for _, r := range []member.Role{"", "root", "Owner", "OWNER"} {
			if member.Allows(r, p) {
				t.Errorf("unknown role %q allowed %s", r, p)
			}
		}
	}
	for _, r := range member.Roles() {
		for _, p := range []member.Permission{"", "org:*", "ORG:READ", "everything"} {
			if member.Allows(r, p) {
				t.Errorf("%s allowed unknown permission %q", r, p)
			}
		}
	}
}

// Each role holds everything the role below it holds.
func TestRolesAreNested(t *testing.T) {
	roles := member.Roles()
	for i := 0; i+1 < len(roles); i++ {
		hi, lo := roles[i], roles[i+1]
		if hi.Rank() <= lo.Rank() {
			t.Fatalf("rank of %s (%d) not above %s (%d)", hi, hi.Rank(), lo, lo.Rank())
		}
		for _, p := range member.Permissions() {
			if member.Allows(lo, p) && !member.Allows(hi, p) {
				t.Errorf("%s holds %s but %s does not", lo, p, hi)
			}
		}
	}
}

func TestMatrixRendersTheTable(t *testing.T) {
	rows := member.Matrix()
	if got := strings.Join(rows[0], ","); got != "permission,owner,admin,developer,viewer" {
		t.Fatalf("header %q", got)
	}
	if len(rows) != 1+len(member.Permissions()) {
		t.Fatalf("%d rows", len(rows))
	}
	if got := strings.Join(rows[3], ","); got != "org:delete,✓,,," {
		t.Fatalf("org:delete row %q", got)
	}
	for i, p := range member.Permissions() {
		row := rows[i+1]
		if row[0] != string(p) {
			t.Fatalf("row %d is %s, want %s", i+1, row[0], p)
		}
		for j, r := range member.Roles() {
			if (row[j+1] == "✓") != member.Allows(r, p) {
				t.Errorf("cell %s/%s = %q", p, r, row[j+1])
			}
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, c := range []struct {
		in   string
		want member.Role
		ok   bool
	}{
		{"owner", member.Owner, true},
		{"admin", member.Admin, true},
		{"developer", member.Developer, true},
		{"viewer", member.Viewer, true},
		{"", "", false},
		{"Owner", "", false},
		{" admin", "", false},
		{"superuser", "", false},
	} {
		got, err := member.ParseRole(c.in)
		if c.ok {
			if err != nil || got != c.want {
				t.Errorf("ParseRole(%q) = %q, %v", c.in, got, err)
			}
			continue
		}
		if e := apperr.As(err); err == nil || e.Kind != apperr.Invalid || e.Code != "invalid_role" {
			t.Errorf("ParseRole(%q) = %q, %v; want invalid_role", c.in, got, err)
		}
	}
}

func TestCanAssign(t *testing.T) {
	const o, a, d, v, x = member.Owner, member.Admin, member.Developer, member.Viewer, member.Role("root")
	// want[actor] lists the roles actor may grant or take away.
	want := map[member.Role][]member.Role{
		o: {o, a, d, v},
		a: {a, d, v},
		d: {},
		v: {},
		x: {},
	}
	for actor, targets := range want {
		for _, target := range []member.Role{o, a, d, v, x} {
			exp := false
			for _, t := range targets {
				exp = exp || t == target
			}
			if got := member.CanAssign(actor, target); got != exp {
				t.Errorf("CanAssign(%s, %s) = %v, want %v", actor, target, got, exp)
			}
		}
	}
}

func TestCanChange(t *testing.T) {
	for _, c := range []struct {
		actor, from, to member.Role
		want            bool
	}{
		{member.Owner, member.Owner, member.Admin, true},
		{member.Owner, member.Viewer, member.Owner, true},
		{member.Admin, member.Viewer, member.Admin, true},
		{member.Admin, member.Admin, member.Developer, true},
		{member.Admin, member.Admin, member.Owner, false},
		{member.Admin, member.Owner, member.Admin, false},
		{member.Developer, member.Viewer, member.Developer, false},
		{member.Viewer, member.Viewer, member.Viewer, false},
		{member.Owner, member.Viewer, "root", false},
	} {
		if got := member.CanChange(c.actor, c.from, c.to); got != c.want {
			t.Errorf("CanChange(%s, %s→%s) = %v, want %v", c.actor, c.from, c.to, got, c.want)
		}
	}
}
