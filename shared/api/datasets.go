package api

import (
	"context"
	"net/http"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// orgSealer binds the API's sealer to the caller's org for package
// dataset, which takes keys that can only seal for one org.
type orgSealer struct {
	s     Sealer
	scope secrets.Scope
}

func (o orgSealer) Org() string { return o.scope.Org }
func (o orgSealer) Seal(ctx context.Context, purpose, record string, plaintext []byte) (string, error) {
	return o.s.Seal(ctx, o.scope, purpose, record, plaintext)
}
func (o orgSealer) Open(ctx context.Context, purpose, record, sealed string) ([]byte, error) {
	return o.s.Open(ctx, o.scope, purpose, record, sealed)
}

// uploadDataset stores a JSONL evaluation dataset, validated line by line:
// any bad line refuses the whole upload with the list of rejected lines
// (never their text), and the text is stored only sealed.
func uploadDataset(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	name := c.r.URL.Query().Get("name")
	if !dataset.ValidName(name) {
		return 0, nil, apperr.New(apperr.Invalid, "invalid_name", "?name= must be 1-100 characters of text").WithParam("name")
	}
	items, rejects, err := dataset.Parse(c.r.Body, dataset.DefaultLimits)
	if len(rejects) > 0 {
		e := apperr.As(err)
		var body errorBody
		body.Error.Code, body.Error.Message = e.Code, e.Message
		return http.StatusBadRequest, struct {
			errorBody
			Rejects []dataset.Reject `json:"rejects"`
		}{body, rejects}, nil
	}
	if err != nil {
		return 0, nil, err
	}
	scope := secrets.Scope{Org: c.org(), DynamoDB: c.scoped.DynamoDB, KMS: c.scoped.KMS}
	meta, err := c.srv.cfg.Datasets.Put(c.ctx, c.scoped.DynamoDB, orgSealer{c.srv.cfg.Secrets, scope}, c.org(), e.ID, name, items)
	if err != nil {
		return 0, nil, err
	}
	if err := c.record("dataset.upload", "dataset", meta.ID, nil, map[string]any{"name": meta.Name, "items": len(items)}); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, meta, nil
}

func listDatasets(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	list, err := c.srv.cfg.Datasets.List(c.ctx, c.scoped.DynamoDB, c.org(), e.ID)
	if err != nil {
		return 0, nil, err
	}
	if list == nil {
		list = []dataset.Meta{}
	}
	return http.StatusOK, map[string]any{"data": list}, nil
}

func getDataset(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	m, err := c.srv.cfg.Datasets.Get(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, c.r.PathValue("dataset"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, m, nil
}

func deleteDataset(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	id := c.r.PathValue("dataset")
	if err := c.srv.cfg.Datasets.Delete(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, id); err != nil {
		return 0, nil, err
	}
	if err := c.record("dataset.delete", "dataset", id, nil, nil); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
