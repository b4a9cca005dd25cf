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
	FamilyEvalKill   = "eval_kill"    // sk EVALKILL: the org's evaluation kill switch
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
	FamilyIdempotency = "idempotency"   // IDEM#<shard>: remembered answers, sealed
	FamilyDriftFlag   = "drift_flag"    // DRIFT
	FamilyFeedback    = "feedback"      // FB#<trace>, listed in gsi1 under ORG#<org>#FB
	FamilyShadow      = "shadow_sample" // SHADOW#<ws>#<alias>: sampled calls, sealed
	FamilyDataset     = "dataset"       // DSMETA#<ws>, sk <dataset>: a dataset's meta
	FamilyDatasetPart = "dataset_chunk" // DS#<dataset>, sk CHUNK#<n>: items, sealed
	FamilyEvalList    = "eval_list"     // EVALS#<ws>: a workspace's runs, by creation
	FamilyOther       = "other"         // a partition family this package does not know

	// In an evaluation run's partition ORG#<org>#EVAL#<run>.
	FamilyEvalRun        = "eval_run"        // sk RUN: the run and its counters
	FamilyEvalTransition = "eval_transition" // sk STATE#<time>#<state>
	FamilyEvalResult     = "eval_result"     // sk ITEM#<index>: one item's scores
	FamilyEvalLease      = "eval_lease"      // sk LEASE#<index>: a worker's claim
	FamilyEvalCall       = "eval_call"       // sk CALL#<index>#<role>: a provider call, answer sealed
	FamilyEvalOther      = "eval_other"      // any other sort key

	// In a workspace's recommendations partition ORG#<org>#REC#<ws>.
	FamilyRecommendation = "recommendation"         // sk REC#<rec>
	FamilyRecGuard       = "recommendation_guard"   // sk RUN#<run>: one per run
	FamilyRecHistory     = "recommendation_history" // sk HIST#<rec>#<time>#<rand>
	FamilyRecOther       = "recommendation_other"   // any other sort key

	// Outside the org, removed by DeleteOrg through GlobalDB.
	FamilyTokenLookup = "token_lookup" // TOKEN#<hash> / TOKEN
	FamilyRegistry    = "registry"     // REGISTRY / ORG#<org>
)

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
		{"RES#", FamilyReservation}, {"AUDIT#", FamilyAudit}, {"IDEM#", FamilyIdempotency}, {"FB#", FamilyFeedback},
		{"SHADOW#", FamilyShadow}, {"DSMETA#", FamilyDataset}, {"DS#", FamilyDatasetPart}, {"EVALS#", FamilyEvalList},
	}
	switch {
	case rest == "REDACT":
		return FamilyRedact
	case rest == "DRIFT":
		return FamilyDriftFlag
	case strings.HasPrefix(rest, "WS#"):
		return workspaceFamily(sk)
	case strings.HasPrefix(rest, "EVAL#"):
		return evalFamily(sk)
	case strings.HasPrefix(rest, "REC#"):
		return recFamily(sk)
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
	case sk == skEvalKill:
		return FamilyEvalKill
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

func evalFamily(sk string) string {
	switch {
	case sk == skEvalRun:
		return FamilyEvalRun
	case strings.HasPrefix(sk, "STATE#"):
		return FamilyEvalTransition
	case strings.HasPrefix(sk, "ITEM#"):
		return FamilyEvalResult
	case strings.HasPrefix(sk, "LEASE#"):
		return FamilyEvalLease
	case strings.HasPrefix(sk, "CALL#"):
		return FamilyEvalCall
	}
	return FamilyEvalOther
}

func recFamily(sk string) string {
	switch {
	case strings.HasPrefix(sk, "REC#"):
		return FamilyRecommendation
	case strings.HasPrefix(sk, "RUN#"):
		return FamilyRecGuard
	case strings.HasPrefix(sk, "HIST#"):
		return FamilyRecHistory
	}
	return FamilyRecOther
}
