package gateway

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// route is one resolved target: where to send the call and what it costs.
type route struct {
	target workspace.Target
	conn   workspace.Connection
	price  pricing.Price
}

// kindOrder is the order bare model names are looked up in.
var kindOrder = []string{workspace.KindOpenAI, workspace.KindAnthropic, workspace.KindGemini,
	workspace.KindBedrock, workspace.KindAzure, workspace.KindMock}

// connections returns the workspace's connections plus the built-in mock
// when it is enabled.
func (h *Handler) connections(snap *workspace.Snapshot) map[string]workspace.Connection {
	if !h.cfg.MockEnabled {
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

// resolve turns the requested model into ordered routes: an alias of the
// workspace, a "connection/model" name, or a bare model name found in the
// price table of one of the workspace's connections.
func (h *Handler) resolve(snap *workspace.Snapshot, model string) (alias string, routes []route, err error) {
	conns := h.connections(snap)
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
		routes = append(routes, route{target: t, conn: c, price: p})
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

// credential opens the connection's sealed key for one call. The plaintext
// lives only in the returned value.
func (h *Handler) credential(ctx context.Context, sc secrets.Scope, ws string, c workspace.Connection) (provider.Credential, error) {
	var cred provider.Credential
	if c.Kind == workspace.KindMock {
		return cred, nil
	}
	record := workspace.KeyRecord(ws, c.Name)
	switch {
	case c.SealedKey != "":
		key, err := h.cfg.Secrets.Open(ctx, sc, workspace.PurposeProviderKey, record, c.SealedKey)
		if err != nil {
			return cred, err
		}
		cred.APIKey = string(key)
	case c.SealedAWSSecret != "":
		secret, err := h.cfg.Secrets.Open(ctx, sc, workspace.PurposeProviderKey, record, c.SealedAWSSecret)
		if err != nil {
			return cred, err
		}
		cred.AWSAccessKeyID, cred.AWSSecretAccessKey = c.AccessKeyID, string(secret)
		if c.AccessKeyID == "" { // sealed together as "<key id>\n<secret>": no part of it in clear
			cred.AWSAccessKeyID, cred.AWSSecretAccessKey, _ = strings.Cut(string(secret), "\n")
		}
	default:
		return cred, apperr.New(apperr.Invalid, "provider_key_missing",
			"no provider key is configured for "+c.Name+" in this workspace").WithParam("model")
	}
	return cred, nil
}
