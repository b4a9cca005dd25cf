package api

import (
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/evalplan"
	"github.com/tollgate-dev/tollgate/shared/route"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// runAlias finds the alias a run speaks for and the target its baseline
// is: an alias named as the baseline, the alias of a shadow source (whose
// live answers came from the alias's first target), or an alias named in
// the request. A run with none may still be evaluated; its
// recommendation then has no alias to apply to.
func runAlias(snap *workspace.Snapshot, in evalInput, mockEnabled bool) (alias, baseline string, err error) {
	named := in.Alias
	if named != "" {
		if a, ok := snap.Aliases[named]; !ok || len(a.Targets) == 0 {
			return "", "", apperr.New(apperr.NotFound, "alias_not_found", "alias: no such alias in this workspace").WithParam("alias")
		}
	}
	model := in.Baseline
	if model == evalplan.LiveBaseline {
		shadowAlias, ok := strings.CutPrefix(in.Source, "shadow:")
		if !ok {
			return "", "", nil // the plan refuses a live baseline without live answers
		}
		model = shadowAlias
	}
	found, routes, err := route.Resolve(snap, model, mockEnabled)
	if err != nil {
		return "", "", nil // the plan reports the unresolvable baseline with its own param
	}
	if named == "" {
		named = found
	}
	return named, routes[0].Target.String(), nil
}
