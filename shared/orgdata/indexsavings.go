package orgdata

import "strings"

// observeSavings learns from the items that name the savings engine's
// partitions: alias names (a workspace's shadow samples are kept per
// alias), evaluation runs and the datasets they read.
func (ix *index) observeSavings(org, fam, pk string, it item) {
	sk := str(it, "sk")
	switch fam {
	case FamilyAlias:
		ix.addAlias(strings.TrimPrefix(pk, wsPK(org, "")), strings.TrimPrefix(sk, "ALIAS#"))
	case FamilyAliasVersion:
		// ALIASV#<name>#<version>; deleted aliases keep their history.
		ws := strings.TrimSuffix(strings.TrimPrefix(pk, wsPK(org, "")), "#ALIASV")
		if parts := strings.Split(sk, "#"); len(parts) == 3 {
			ix.addAlias(ws, parts[1])
		}
	case FamilyRecommendation:
		ws := strings.TrimPrefix(pk, recPK(org, ""))
		ix.addRun(str(it, "run_id"))
		ix.addAlias(ws, str(it, "alias"))
	case FamilyRecGuard:
		ix.addRun(strings.TrimPrefix(sk, "RUN#"))
	case FamilyEvalList:
		// <created>#<run>, and the run ID again in run_id.
		ix.addRun(str(it, "run_id"))
		if _, run, ok := strings.Cut(sk, "#"); ok {
			ix.addRun(run)
		}
	case FamilyEvalRun:
		ws := str(it, "workspace")
		ix.addAlias(ws, str(it, "alias"))
		src := str(it, "source")
		if ds, ok := strings.CutPrefix(src, sourceDataset); ok {
			ix.addDataset(ds)
		}
		if alias, ok := strings.CutPrefix(src, sourceShadow); ok {
			ix.addAlias(ws, alias)
		}
	case FamilyDataset:
		ix.addDataset(sk)
	}
}

// addWorkspaceAlias learns a (workspace, alias) pair from an aggregate of
// dimension wsalias (sk wsalias#<ws>/<alias>#<part>, value in dim_value):
// every gateway call through an alias counts there on its day, so the
// days a shadow sample can still exist name every alias it can be of.
func (ix *index) addWorkspaceAlias(it item) {
	rest, ok := strings.CutPrefix(str(it, "sk"), dimWSAlias+"#")
	if !ok {
		return
	}
	v := str(it, "dim_value")
	if v == "" {
		if i := strings.LastIndexByte(rest, '#'); i >= 0 {
			v = rest[:i]
		}
	}
	if ws, alias, ok := strings.Cut(v, "/"); ok {
		ix.addAlias(ws, alias)
	}
}

// addAlias records alias of workspace ws; the workspace is then walked
// too, even when nothing else names it any more.
func (ix *index) addAlias(ws, alias string) {
	if !keyPart(ws) || !keyPart(alias) {
		return
	}
	ix.addWorkspace(ws)
	if ix.aliases[ws] == nil {
		ix.aliases[ws] = map[string]bool{}
	}
	ix.aliases[ws][alias] = true
}

// addRun records a run ID; its lifetime budget counter is a scope too.
func (ix *index) addRun(run string) {
	if keyPart(run) && strings.HasPrefix(run, "run_") {
		ix.runs[run] = true
	}
}

func (ix *index) addDataset(ds string) {
	if keyPart(ds) && strings.HasPrefix(ds, "ds_") {
		ix.datasets[ds] = true
	}
}
