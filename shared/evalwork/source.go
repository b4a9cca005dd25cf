package evalwork

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/score"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Entry is one item as the worker scores it.
type Entry struct {
	Item score.Item
	// Live is the answer live traffic already got for the item (a shadow
	// sample): with the "live" baseline it is the baseline's output, and
	// it costs the run nothing.
	Live *Live
}

// Live is an answer recorded from live traffic.
type Live struct {
	Output string
	Model  string
}

// Source yields a run's items by reference.
type Source interface {
	Entry(ctx context.Context, ref string) (Entry, error)
	// Scored is told when an item's result is recorded, so a source that
	// holds text only until it is scored (shadow samples) deletes it.
	Scored(ctx context.Context, ref string) error
}

// Keys seals and opens for one org (dataset.OrgKeys).
type Keys interface {
	dataset.Opener
	Seal(ctx context.Context, purpose, record string, plaintext []byte) (string, error)
}

// DB is the org's scoped client as the sources use it.
type DB interface {
	dataset.DB
	shadow.DB
	trace.DB
}

// Sources opens the kinds of source a run may name:
//
//	dataset:<dataset id>   the items of an uploaded dataset
//	shadow:<alias>         shadow samples of live traffic to an alias
//	traces:<alias>         opted-in traces still holding content, of one
//	                       alias, or of the whole workspace with "traces:*"
type Sources struct {
	Datasets *dataset.Store
	Shadow   ShadowStore
	Traces   *trace.Store
	Clock    func() time.Time
}

// Source kinds.
const (
	KindDataset = "dataset"
	KindShadow  = "shadow"
	KindTraces  = "traces"
)

func invalidSource(msg string) error {
	return apperr.New(apperr.Invalid, "invalid_source", msg).WithParam("source")
}

// Open returns the source a run names, for the worker.
func (s Sources) Open(ctx context.Context, db DB, keys Keys, org, ws, source string) (Source, error) {
	kind, arg, _ := strings.Cut(source, ":")
	switch kind {
	case KindDataset:
		return &datasetSource{s: s.Datasets, db: db, keys: keys, org: org, ws: ws, ds: arg}, nil
	case KindShadow:
		if s.Shadow == nil {
			return nil, invalidSource("shadow sampling is not enabled in this deployment")
		}
		return &shadowSource{s: s.Shadow, db: db, keys: keys, org: org, ws: ws, alias: arg}, nil
	case KindTraces:
		if s.Traces == nil {
			return nil, invalidSource("trace sources are not enabled in this deployment")
		}
		if arg == "*" {
			arg = ""
		} else if arg == "" {
			return nil, invalidSource("name an alias (traces:<alias>) or every call (traces:*)")
		}
		now := time.Now
		if s.Clock != nil {
			now = s.Clock
		}
		return &traceSource{s: s.Traces, db: db, keys: keys, org: org, ws: ws, alias: arg, now: now().UTC()}, nil
	}
	return nil, invalidSource("source must be dataset:<id>, shadow:<alias> or traces:<alias|*>")
}

// Select picks up to n items of a source for a new run — a uniform sample
// seeded by the run, so the same request picks the same items — and
// returns their references and entries (for the pre-flight estimate).
func (s Sources) Select(ctx context.Context, db DB, keys Keys, org, ws, source string, n int, seed uint64) ([]string, []Entry, error) {
	src, err := s.Open(ctx, db, keys, org, ws, source)
	if err != nil {
		return nil, nil, err
	}
	refs, err := src.(lister).refs(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(refs) == 0 {
		return nil, nil, apperr.New(apperr.Invalid, "source_empty", "the source has no items to evaluate").WithParam("source")
	}
	if n > 0 && n < len(refs) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		r.Shuffle(len(refs), func(i, j int) { refs[i], refs[j] = refs[j], refs[i] })
		refs = refs[:n]
	}
	entries := make([]Entry, len(refs))
	for i, ref := range refs {
		if entries[i], err = src.Entry(ctx, ref); err != nil {
			return nil, nil, err
		}
	}
	return refs, entries, nil
}

// lister lists every reference of a source, in a stable order.
type lister interface {
	refs(ctx context.Context) ([]string, error)
}

type datasetSource struct {
	s       *dataset.Store
	db      DB
	keys    Keys
	org, ws string
	ds      string
	items   []dataset.Item // opened once per worker invocation
}

func (d *datasetSource) load(ctx context.Context) error {
	if d.items != nil {
		return nil
	}
	items, err := d.s.Items(ctx, d.db, d.keys, d.org, d.ws, d.ds)
	if err != nil {
		return err
	}
	d.items = items
	return nil
}

func (d *datasetSource) refs(ctx context.Context) ([]string, error) {
	if err := d.load(ctx); err != nil {
		return nil, err
	}
	out := make([]string, len(d.items))
	for i := range d.items {
		out[i] = strconv.Itoa(i)
	}
	return out, nil
}

func (d *datasetSource) Entry(ctx context.Context, ref string) (Entry, error) {
	if err := d.load(ctx); err != nil {
		return Entry{}, err
	}
	i, err := strconv.Atoi(ref)
	if err != nil || i < 0 || i >= len(d.items) {
		return Entry{}, apperr.New(apperr.NotFound, "item_not_found", "the dataset has no such item")
	}
	it := d.items[i]
	return Entry{Item: score.Item{Messages: it.Messages, Reference: it.Reference, Tags: it.Tags}}, nil
}

func (d *datasetSource) Scored(context.Context, string) error { return nil }
