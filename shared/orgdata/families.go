package orgdata

import "strings"

// Families name what an item is, from its keys alone. Export labels every
// line with one and Counts are keyed by them, so a reader of an export (or
// of a deletion's report) can tell members from traces without knowing the
// key layout.
const (
	// In the org's own partition ORG#<org>.
	FamilyOrg        = "org"          // sk ORG: name, cap, price overrides
	FamilyDirectory  = "directory"    // sk WS#<ws>: the workspace directory
	FamilyMember     = "member"       // sk MEMBER#<usr>
	FamilyEmailGuard = "email_guard"  // sk EMAIL#<email key>: one member per email
	FamilyOwners     = "owners"       // sk OWNERS: the owner counter
	FamilyToken      = "token"        // sk TOKEN#<tok>: API token records
	FamilyDataKey    = "data_key"     // sk DATAKEY, DATAKEY#<dk>: never exported
	FamilyExpiry     = "trace_expiry" // sk EXPIRES#<expiry day>#<trace day>#<part>
	FamilyOrgOther   = "org_other"    // any other sort key, exported as is

	// In a workspace's partition ORG#<org>#WS#<ws>.
	FamilySettings       = "workspace_settings" // sk SETTINGS
	FamilyAlias          = "alias"              // sk ALIAS#<name>
	FamilyAliasVersion   = "alias_version"      // ORG#<org>#WS#<ws>#ALIASV, sk ALIASV#<name>#<version>
	FamilyConnection     = "connection"         // sk CONN#<name>
	FamilyWorkspaceOther = "workspace_other"    // any other sort key

	// In the org's derived partitions ORG#<org>#….
	FamilyTrace       = "trace"         // TR#<day>#<shard>
	FamilyAggregate   = "aggregate"     // AGG#<day>
	FamilyRedact      = "redact_marker" // REDACT
	FamilyBudget      = "budget"        // BUDGET#<scope>, sk yyyy-mm
	FamilyRate        = "rate"          // RATE#<scope>, sk minute
	FamilyReservation = "reservation"   // RES#<shard>
	FamilyAudit       = "audit"         // AUDIT#<yyyymm>
	FamilyOther       = "other"         // a partition family this package does not know

	// Outside the org, removed by DeleteOrg through GlobalDB.
	FamilyTokenLookup = "token_lookup" // TOKEN#<hash> / TOKEN
	FamilyRegistry    = "registry"     // REGISTRY / ORG#<org>
)

// Partition key builders, as the writing packages spell them.
func orgPK(org string) string    { return "ORG#" + org }
func wsPK(org, ws string) string { return orgPK(org) + "#WS#" + ws }

// wsPartitions are a workspace's partitions: its settings, aliases and
// connections, and its alias history (workspace/aliases.go).
func wsPartitions(org, ws string) []string { return []string{wsPK(org, ws), wsPK(org, ws) + "#ALIASV"} }
func resPK(org string, shard int) string   { return orgPK(org) + "#RES#" + itoa(shard) }
func budgetPK(org, scope string) string    { return orgPK(org) + "#BUDGET#" + scope }
func ratePK(org, scope string) string      { return orgPK(org) + "#RATE#" + scope }
func aggPK(org, day string) string         { return orgPK(org) + "#AGG#" + day }
func auditPK(org, month string) string     { return orgPK(org) + "#AUDIT#" + month }
func redactPK(org string) string           { return orgPK(org) + "#REDACT" }
func tracePK(org, day string, shard int) string {
	return orgPK(org) + "#TR#" + day + "#" + itoa(shard)
}

// family classifies an item of org by its keys.
func family(org, pk, sk string) string {
	if pk == orgPK(org) {
		return orgFamily(sk)
	}
	rest, ok := strings.CutPrefix(pk, orgPK(org)+"#")
	if !ok {
		return FamilyOther
	}
	prefixes := []struct{ prefix, family string }{
		{"TR#", FamilyTrace}, {"AGG#", FamilyAggregate}, {"BUDGET#", FamilyBudget}, {"RATE#", FamilyRate},
		{"RES#", FamilyReservation}, {"AUDIT#", FamilyAudit},
	}
	switch {
	case rest == "REDACT":
		return FamilyRedact
	case strings.HasPrefix(rest, "WS#"):
		return workspaceFamily(sk)
	}
	for _, p := range prefixes {
		if strings.HasPrefix(rest, p.prefix) {
			return p.family
		}
	}
	return FamilyOther
}

func orgFamily(sk string) string {
	switch {
	case sk == "ORG":
		return FamilyOrg
	case sk == "OWNERS":
		return FamilyOwners
	case sk == "DATAKEY" || strings.HasPrefix(sk, "DATAKEY#"):
		return FamilyDataKey
	case strings.HasPrefix(sk, "WS#"):
		return FamilyDirectory
	case strings.HasPrefix(sk, "MEMBER#"):
		return FamilyMember
	case strings.HasPrefix(sk, "EMAIL#"):
		return FamilyEmailGuard
	case strings.HasPrefix(sk, "TOKEN#"):
		return FamilyToken
	case strings.HasPrefix(sk, "EXPIRES#"):
		return FamilyExpiry
	}
	return FamilyOrgOther
}

func workspaceFamily(sk string) string {
	switch {
	case sk == "SETTINGS":
		return FamilySettings
	case strings.HasPrefix(sk, "ALIASV#"):
		return FamilyAliasVersion
	case strings.HasPrefix(sk, "ALIAS#"):
		return FamilyAlias
	case strings.HasPrefix(sk, "CONN#"):
		return FamilyConnection
	}
	return FamilyWorkspaceOther
}
