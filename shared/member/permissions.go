package member

// Permission is one kind of management API call. Handlers name the
// permission they need and ask Allows; they never compare roles themselves.
type Permission string

// The permissions, in the row order of Matrix.
const (
	OrgRead        Permission = "org:read"
	OrgWrite       Permission = "org:write"
	OrgDelete      Permission = "org:delete"
	OrgExport      Permission = "org:export"
	WorkspaceRead  Permission = "workspace:read"
	WorkspaceWrite Permission = "workspace:write"
	MemberRead     Permission = "member:read"
	MemberWrite    Permission = "member:write"
	TokenRead      Permission = "token:read"
	TokenWrite     Permission = "token:write"
	KeyRead        Permission = "key:read"
	KeyWrite       Permission = "key:write"
	BudgetRead     Permission = "budget:read"
	BudgetWrite    Permission = "budget:write"
	AliasRead      Permission = "alias:read"
	AliasWrite     Permission = "alias:write"
	RetentionRead  Permission = "retention:read"
	RetentionWrite Permission = "retention:write"
	AuditRead      Permission = "audit:read"
	EvalRead       Permission = "eval:read"
	EvalWrite      Permission = "eval:write"
	// RecommendApply moves production traffic (apply, roll back a
	// recommendation), so it is an admin's call, unlike editing an alias.
	RecommendApply Permission = "recommendation:apply"
)

// Permissions lists every permission in the row order of Matrix.
func Permissions() []Permission {
	return []Permission{
		OrgRead, OrgWrite, OrgDelete, OrgExport,
		WorkspaceRead, WorkspaceWrite,
		MemberRead, MemberWrite,
		TokenRead, TokenWrite,
		KeyRead, KeyWrite,
		BudgetRead, BudgetWrite,
		AliasRead, AliasWrite,
		RetentionRead, RetentionWrite,
		AuditRead,
		EvalRead, EvalWrite,
		RecommendApply,
	}
}

// grant is one row of the matrix: which roles hold a permission.
type grant struct{ owner, admin, developer, viewer bool }

// y and n make the matrix read as a table.
const (
	y = true
	n = false
)

// matrix is the one source of truth for who may do what; it reads like the
// table in the docs, which Matrix renders from it.
var matrix = map[Permission]grant{
	//              {owner, admin, developer, viewer}
	OrgRead:        {y, y, y, y},
	OrgWrite:       {y, y, n, n},
	OrgDelete:      {y, n, n, n},
	OrgExport:      {y, y, n, n},
	WorkspaceRead:  {y, y, y, y},
	WorkspaceWrite: {y, y, n, n},
	MemberRead:     {y, y, y, y},
	MemberWrite:    {y, y, n, n},
	TokenRead:      {y, y, y, y},
	TokenWrite:     {y, y, y, n},
	KeyRead:        {y, y, y, y},
	KeyWrite:       {y, y, n, n},
	BudgetRead:     {y, y, y, y},
	BudgetWrite:    {y, y, n, n},
	AliasRead:      {y, y, y, y},
	AliasWrite:     {y, y, y, n},
	RetentionRead:  {y, y, y, y},
	RetentionWrite: {y, y, n, n},
	AuditRead:      {y, y, n, n},
	EvalRead:       {y, y, y, y},
	EvalWrite:      {y, y, y, n},
	RecommendApply: {y, y, n, n},
}

// Allows reports whether role r holds permission p. An unknown role or
// permission is refused: a typo must never grant access.
func Allows(r Role, p Permission) bool {
	g, ok := matrix[p]
	if !ok {
		return false
	}
	switch r {
	case Owner:
		return g.owner
	case Admin:
		return g.admin
	case Developer:
		return g.developer
	case Viewer:
		return g.viewer
	}
	return false
}

// Matrix renders the permission table for the docs: a header row of
// "permission" and the roles, then one row per permission with "✓" where
// the role holds it and "" where it does not.
func Matrix() [][]string {
	header := []string{"permission"}
	for _, r := range Roles() {
		header = append(header, string(r))
	}
	rows := [][]string{header}
	for _, p := range Permissions() {
		row := []string{string(p)}
		for _, r := range Roles() {
			cell := ""
			if Allows(r, p) {
				cell = "✓"
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return rows
}
