package api

// handlers maps every operationId of openapi.yaml to its handler. New
// checks the two match exactly.
func handlers() map[string]handlerFunc {
	return map[string]handlerFunc{
		"getMe":              getMe,
		"listWorkspaces":     listWorkspaces,
		"createWorkspace":    createWorkspace,
		"getWorkspace":       getWorkspace,
		"renameWorkspace":    renameWorkspace,
		"listMembers":        listMembers,
		"addMember":          addMember,
		"changeMemberRole":   changeMemberRole,
		"removeMember":       removeMember,
		"listTokens":         listTokens,
		"createToken":        createToken,
		"rotateToken":        rotateToken,
		"revokeToken":        revokeToken,
		"listAudit":          listAudit,
		"exportAudit":        exportAudit,
		"getOrg":             getOrg,
		"updateOrg":          updateOrg,
		"setOrgBudget":       setOrgBudget,
		"getBudgets":         getBudgets,
		"setWorkspaceBudget": setWorkspaceBudget,
		"getRetention":       getRetention,
		"setRetention":       setRetention,
		"listKeys":           listKeys,
		"putKey":             putKey,
		"deleteKey":          deleteKey,
		"listAliases":        listAliases,
		"putAlias":           putAlias,
		"deleteAlias":        deleteAlias,
		"aliasVersions":      aliasVersions,
		"rollbackAlias":      rollbackAlias,
		"exportOrg":          exportOrg,
		"deleteWorkspace":    deleteWorkspace,
		"deleteOrg":          deleteOrg,
	}
}
