package orgdata

// Partition key builders, as the writing packages spell them (most of
// those packages keep their builders unexported).
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

// The savings engine's partitions (packages evalrun, dataset, shadow,
// recommend, feedback, drift) and the idempotency keys.
func evalListPK(org, ws string) string    { return orgPK(org) + "#EVALS#" + ws }
func evalRunPK(org, run string) string    { return orgPK(org) + "#EVAL#" + run }
func datasetMetaPK(org, ws string) string { return orgPK(org) + "#DSMETA#" + ws }
func datasetPK(org, ds string) string     { return orgPK(org) + "#DS#" + ds }
func recPK(org, ws string) string         { return orgPK(org) + "#REC#" + ws }
func driftPK(org string) string           { return orgPK(org) + "#DRIFT" }
func idemPK(org string, shard int) string { return orgPK(org) + "#IDEM#" + itoa(shard) }
func shadowPK(org, ws, alias string) string {
	return orgPK(org) + "#SHADOW#" + ws + "#" + alias
}

// feedbackIndexPK is the gsi1 partition listing every feedback partition
// ORG#<org>#FB#<trace> of the org: the only place that names them all.
func feedbackIndexPK(org string) string { return orgPK(org) + "#FB" }

// evalScope is the budget scope of a workspace's evaluation spend, as
// evalwork.EvalScope spells it; a run's own lifetime cap is scoped by the
// run ID.
func evalScope(ws string) string { return "eval:" + ws }

// Sort keys and attribute values the walk reads names from.
const (
	skEvalRun     = "RUN"      // an evaluation run's own item
	skEvalKill    = "EVALKILL" // the org's evaluation kill switch, in ORG#<org>
	skSettings    = "SETTINGS" // a workspace's settings, in ORG#<org>#WS#<ws>
	dimWSAlias    = "wsalias"  // trace.DimWorkspaceAlias: value <ws>/<alias>
	sourceDataset = "dataset:" // an evaluation run's source dataset:<id>
	sourceShadow  = "shadow:"  // an evaluation run's source shadow:<alias>
)
