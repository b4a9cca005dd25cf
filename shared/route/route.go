// Package route turns a model name a workspace asks for into the provider
// targets that serve it, with their prices, and opens a target's sealed
// provider key for one call. The gateway and the evaluation engine resolve
// through it, so an evaluation reaches exactly the providers, keys and
// prices a live call would (DESIGN §5: no side door).
package route

import (
	"slices"
	"sort"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Route is one resolved target: where to send a call and what it costs.
type Route struct {
	Target workspace.Target
	Conn   workspace.Connection
	Price  pricing.Price
}

// kindOrder is the order bare model names are looked up in.
var kindOrder = []string{workspace.KindOpenAI, workspace.KindAnthropic, workspace.KindGemini,
	workspace.KindBedrock, workspace.KindAzure, workspace.KindMock}

// Connections returns the workspace's connections plus the built-in mock
// when the deployment enables it.
func Connections(snap *workspace.Snapshot, mockEnabled bool) map[string]workspace.Connection {
	if !mockEnabled {
		return snap.Connections
	}
	if _, ok := snap.Connections[workspace.KindMock]; ok {
		return snap.Connections
	}
	out := make(map[string]workspace.Connection, len(snap.Connections)+1)
	for k, v := range snap.Connections {
		out[k] = v
	}
	out[workspace.KindMock] = workspace.Connection{Name: workspace.KindMock, Kind: workspace.KindMock}
	return out
}

// Resolve turns model into ordered routes: an alias of the workspace, a
// "connection/model" name, or a bare model name found in the price table of
// one of the workspace's connections. alias is the alias's name when model
// named one. A model without a price is refused: its spend could not be
// capped.
func Resolve(snap *workspace.Snapshot, model string, mockEnabled bool) (alias string, routes []Route, err error) {
	conns := Connections(snap, mockEnabled)
	var targets []workspace.Target
	if a, ok := snap.Aliases[model]; ok && len(a.Targets) > 0 {
		alias, targets = a.Name, a.Targets
	} else if t, ok := workspace.ParseTarget(model); ok {
		if _, known := conns[t.Connection]; known {
			targets = []workspace.Target{t}
		}
	}
	if targets == nil {
		targets = bareModel(snap, conns, model)
	}
	if len(targets) == 0 {
		return "", nil, apperr.New(apperr.NotFound, "model_not_found",
			"the model does not exist or this workspace has no provider configured for it").WithParam("model")
	}
	if allowed := snap.Settings.AllowedModels; len(allowed) > 0 {
		if !slices.Contains(allowed, model) && (alias == "" || !slices.Contains(allowed, alias)) {
			return "", nil, apperr.New(apperr.Forbidden, "model_not_allowed", "this workspace may not use the requested model").WithParam("model")
		}
	}
	for _, t := range targets {
		c, ok := conns[t.Connection]
		if !ok {
			continue // an alias may name a connection that was since removed
		}
		p, ok := snap.Prices.Lookup(c.Name, t.Model)
		if !ok {
			p, ok = snap.Prices.Lookup(c.Kind, t.Model)
		}
		if !ok {
			return "", nil, apperr.New(apperr.Invalid, "model_not_priced",
				"the model has no price; add a price override for it so its spend can be capped").WithParam("model")
		}
		routes = append(routes, Route{Target: t, Conn: c, Price: p})
	}
	if len(routes) == 0 {
		return "", nil, apperr.New(apperr.NotFound, "model_not_found", "no provider connection serves the requested model").WithParam("model")
	}
	return alias, routes, nil
}

func bareModel(snap *workspace.Snapshot, conns map[string]workspace.Connection, model string) []workspace.Target {
	names := make([]string, 0, len(conns))
	for n := range conns {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, kind := range kindOrder {
		for _, n := range names {
			c := conns[n]
			if c.Kind != kind {
				continue
			}
			if _, ok := snap.Prices.Lookup(c.Kind, model); ok {
				return []workspace.Target{{Connection: c.Name, Model: model}}
			}
		}
	}
	return nil
}
