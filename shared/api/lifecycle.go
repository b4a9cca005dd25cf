package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/orgdata"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// MaxExport bounds an export served through API Gateway, whose buffered
// Lambda responses stop at 6 MB. Larger orgs export with the operator
// command (tollgate-admin export), which streams without a bound.
const MaxExport = 5 << 20

// boundedBuffer refuses writes past its limit.
type boundedBuffer struct {
	bytes.Buffer
	limit int
}

var errExportTooLarge = apperr.New(apperr.TooLarge, "export_too_large",
	"the export is over 5 MB, more than API Gateway can return; use `tollgate-admin export`")

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.limit {
		return 0, errExportTooLarge
	}
	return b.Buffer.Write(p)
}

// exportOrg answers with every item the org created, as JSONL, secrets
// excluded (package orgdata decides what counts as one).
func exportOrg(c *call) (int, any, error) {
	buf := &boundedBuffer{limit: MaxExport}
	counts, err := orgdata.Export(c.ctx, c.scoped.DynamoDB, c.srv.cfg.Table, c.org(), buf)
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("org.export", "org", c.org(), nil, map[string]any{"items": counts.Total()}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rawBody{ctype: "application/x-ndjson", name: "export.jsonl", body: buf.Bytes()}, nil
}

// rawBody is a non-JSON answer already in memory.
type rawBody struct {
	ctype, name string
	body        []byte
}

func (r rawBody) stream(w http.ResponseWriter) (int, error) {
	w.Header().Set("Content-Type", r.ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="`+r.name+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(r.body)
	return http.StatusOK, nil
}

// confirmed checks the explicit confirmation a destructive route needs:
// ?confirm= must repeat the ID being deleted.
func confirmed(c *call, id string) error {
	if c.r.URL.Query().Get("confirm") != id {
		return apperr.New(apperr.Invalid, "confirmation_required",
			"this deletes everything and cannot be undone: repeat the ID as ?confirm=<id>").WithParam("confirm")
	}
	return nil
}

// deleteWorkspace removes a workspace and everything in it, after
// revoking every key that spends in it. The org's last workspace stays.
func deleteWorkspace(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	if err := confirmed(c, e.ID); err != nil {
		return 0, nil, err
	}
	all, err := c.srv.cfg.Workspaces.List(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	if len(all) <= 1 {
		return 0, nil, apperr.New(apperr.Conflict, "last_workspace", "an organization keeps at least one workspace; delete the organization instead")
	}
	tokens, err := c.srv.cfg.Tokens.List(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	revoked := 0
	for _, t := range tokens {
		if t.Workspace == e.ID && t.Revoked == nil {
			if _, err := c.srv.cfg.Tokens.Revoke(c.ctx, c.scoped.DynamoDB, c.srv.cfg.Lookups, c.org(), t.ID); err != nil {
				return 0, nil, err
			}
			revoked++
		}
	}
	counts, err := orgdata.DeleteWorkspace(c.ctx, c.scoped.DynamoDB, c.srv.cfg.Table, c.org(), e.ID)
	if err != nil {
		return 0, nil, err
	}
	c.srv.cfg.Workspaces.Invalidate(c.org(), e.ID)
	if err := c.record("workspace.delete", "workspace", e.ID, map[string]any{"name": e.Name},
		map[string]any{"items_deleted": counts.Total(), "tokens_revoked": revoked}); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// deleteOrg removes every item of the org, its token lookups and registry
// entry, and destroys its data keys so every ciphertext of it — including
// copies in backups — is unreadable. The org's audit log goes with it, so
// the deletion is recorded in the function's log, where operators keep it.
func deleteOrg(c *call) (int, any, error) {
	if err := confirmed(c, c.org()); err != nil {
		return 0, nil, err
	}
	scope := secrets.Scope{Org: c.org(), DynamoDB: c.scoped.DynamoDB, KMS: c.scoped.KMS}
	destroy := func(ctx context.Context) error { return c.srv.cfg.Secrets.DestroyKeys(ctx, scope) }
	counts, err := orgdata.DeleteOrg(c.ctx, c.scoped.DynamoDB, c.srv.cfg.Lookups, destroy, c.srv.cfg.Table, c.org())
	if err != nil {
		return 0, nil, err
	}
	c.srv.cfg.Logger.WarnContext(c.ctx, "organization deleted", "org", c.org(), "actor", c.member.ID,
		"token_id", c.principal.TokenID, "source_ip", sourceIP(c.r), "items_deleted", counts.Total())
	return http.StatusNoContent, nil, nil
}
