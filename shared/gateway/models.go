package gateway

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/openaierr"
	"github.com/tollgate-dev/tollgate/shared/route"
)

// models lists what the caller's workspace may use: its aliases, then every
// priced model of every connection it has, as "connection/model".
func (h *Handler) models(w http.ResponseWriter, r *http.Request) {
	if err := h.listModels(w, r); err != nil {
		openaierr.Write(w, err)
	}
}

func (h *Handler) listModels(w http.ResponseWriter, r *http.Request) error {
	p, err := h.authenticate(r, auth.ScopeInference)
	if err != nil {
		return err
	}
	scoped, err := h.cfg.Tenants.For(r.Context(), p.Org)
	if err != nil {
		return err
	}
	snap, err := h.cfg.Workspaces.Load(r.Context(), scoped.DynamoDB, p.Org, p.Workspace)
	if err != nil {
		return err
	}
	allowed := func(name string) bool {
		if len(snap.Settings.AllowedModels) == 0 {
			return true
		}
		for _, a := range snap.Settings.AllowedModels {
			if a == name {
				return true
			}
		}
		return false
	}
	list := chat.ModelList{Object: "list", Data: []chat.Model{}}
	var names []string
	for name := range snap.Aliases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if allowed(name) {
			list.Data = append(list.Data, chat.Model{ID: name, Object: "model", OwnedBy: "tollgate-alias"})
		}
	}
	conns := route.Connections(snap, h.cfg.MockEnabled)
	var ids []string
	for _, key := range snap.Prices.Models() {
		kind, model, _ := strings.Cut(key, "/")
		for _, c := range conns {
			if c.Kind == kind {
				ids = append(ids, c.Name+"/"+model)
			}
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		conn, _, _ := strings.Cut(id, "/")
		if allowed(id) {
			list.Data = append(list.Data, chat.Model{ID: id, Object: "model", OwnedBy: conn})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(list)
}
