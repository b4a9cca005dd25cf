package evalwork

import (
	"context"

	"github.com/tollgate-dev/tollgate/shared/score"
	"github.com/tollgate-dev/tollgate/shared/shadow"
)

// ShadowStore is what a shadow source needs of package shadow's Store.
type ShadowStore interface {
	List(ctx context.Context, db shadow.DB, org, ws, alias string, limit int) ([]shadow.Ref, error)
	Open(ctx context.Context, db shadow.DB, opener shadow.Opener, org, ws, alias, ref string) (shadow.Sample, error)
	Delete(ctx context.Context, db shadow.DB, org, ws, alias, ref string) error
}

// MaxShadowItems bounds the samples one run takes.
const MaxShadowItems = 5000

// shadowSource yields the samples of live traffic to one alias; each is
// deleted once scored, as the sampling promised.
type shadowSource struct {
	s       ShadowStore
	db      DB
	keys    Keys
	org, ws string
	alias   string
}

func (s *shadowSource) refs(ctx context.Context) ([]string, error) {
	list, err := s.s.List(ctx, s.db, s.org, s.ws, s.alias, MaxShadowItems)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = r.Key
	}
	return out, nil
}

func (s *shadowSource) Entry(ctx context.Context, ref string) (Entry, error) {
	smp, err := s.s.Open(ctx, s.db, s.keys, s.org, s.ws, s.alias, ref)
	if err != nil {
		return Entry{}, err
	}
	return Entry{Item: score.Item{Messages: smp.Messages}, Live: &Live{Output: smp.Output, Model: smp.Model}}, nil
}

func (s *shadowSource) Scored(ctx context.Context, ref string) error {
	return s.s.Delete(ctx, s.db, s.org, s.ws, s.alias, ref)
}
