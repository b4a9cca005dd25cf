package orgdata

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Bounds of the derived candidates (doc.go explains each).
const (
	// reservationShards covers budget.Config.Shards (default 8) with room
	// for a deployment that raises it.
	reservationShards = 64
	// aggregateDays covers the aggregates' 400-day TTL plus the days
	// DynamoDB may take to act on an expired item.
	aggregateDays = 408
	// auditYears bounds how far back audit months are looked for.
	auditYears = 10
)

// walker visits every partition of one org in an order where each
// partition is named by partitions visited before it: the org partition,
// then reservations, audit months, aggregate days, trace shards, the
// redaction queue, the workspaces with their savings data (walkworkspace.go),
// the org-wide feedback, drift flags and idempotency keys, and last the
// budget and rate counters. Deleting in the reverse order therefore never
// removes an item that a rerun still needs to find what is left.
type walker struct {
	db         OrgDB
	table, org string
	now        time.Time
	ix         index
	// visit receives every item with its family; nil walks for the index
	// only, reading just what the index needs.
	visit   func(fam string, it item) error
	found   []source        // what held items, in walk order
	visited map[source]bool // read already; true when it held items
}

func newWalker(db OrgDB, table, org string, now time.Time, visit func(string, item) error) *walker {
	return &walker{db: db, table: table, org: org, now: now.UTC(), ix: newIndex(), visit: visit, visited: map[source]bool{}}
}

func (w *walker) run(ctx context.Context) error {
	for _, step := range []func(context.Context) error{
		w.orgPartition, w.reservations, w.audit, w.aggregates, w.aggregateAliases, w.traces, w.redactions,
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	if err := w.workspaceData(ctx, slices.Sorted(maps.Keys(w.ix.workspaces))); err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{w.feedback, w.drift, w.idempotency, w.counters} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) orgPartition(ctx context.Context) error {
	return w.partition(ctx, orgPK(w.org), read{})
}

func (w *walker) reservations(ctx context.Context) error {
	for shard := range reservationShards {
		if err := w.partition(ctx, resPK(w.org, shard), read{projection: "pk, sk, budgets, rates"}); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) audit(ctx context.Context) error {
	for _, m := range auditMonths(w.ix.oldest, w.now) {
		r := read{projection: "pk, sk, #w, target_id, actor, actor_kind", names: map[string]string{"#w": "workspace"}}
		if err := w.partition(ctx, auditPK(w.org, m), r); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) aggregates(ctx context.Context) error {
	days := maps.Clone(w.ix.traceDays)
	for d := w.now.AddDate(0, 0, -aggregateDays); !d.After(w.now.AddDate(0, 0, 2)); d = d.AddDate(0, 0, 1) {
		days[d.Format("20060102")] = true
	}
	for _, day := range slices.Sorted(maps.Keys(days)) {
		if err := w.partition(ctx, aggPK(w.org, day), read{probe: true}); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) traces(ctx context.Context) error {
	for _, day := range slices.Sorted(maps.Keys(w.ix.traceDays)) {
		for shard := range trace.Shards {
			r := read{projection: "pk, sk, #w, token_id, #a", names: map[string]string{"#w": "workspace", "#a": "alias"}}
			if err := w.partition(ctx, tracePK(w.org, day, shard), r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *walker) redactions(ctx context.Context) error {
	return w.partition(ctx, redactPK(w.org), read{probe: true})
}

func (w *walker) counters(ctx context.Context) error {
	scopes := maps.Clone(w.ix.scopes)
	maps.Copy(scopes, w.ix.workspaces)
	maps.Copy(scopes, w.ix.runs)
	for ws := range w.ix.workspaces {
		scopes[evalScope(ws)] = true
	}
	var pks []string
	for _, s := range slices.Sorted(maps.Keys(scopes)) {
		pks = append(pks, budgetPK(w.org, s), ratePK(w.org, s))
	}
	pks = append(pks, slices.Sorted(maps.Keys(w.ix.counters))...)
	for _, pk := range pks {
		if err := w.partition(ctx, pk, read{probe: true}); err != nil {
			return err
		}
	}
	return nil
}

// read says how a walk without visit reads a partition: probe reads one
// key (the partition only has to be known to hold items), projection reads
// just the attributes the index needs, and key, when set, reads only the
// item with that sort key (the one item that names anything), probing
// instead when the partition lacks it.
type read struct {
	probe      bool
	projection string
	names      map[string]string
	key        string
}

// partition reads one partition, feeding the index and visit.
func (w *walker) partition(ctx context.Context, pk string, r read) error {
	return w.readSource(ctx, source{pk: pk}, r)
}

// readSource reads one partition or index partition, feeding the index and
// visit, and records it in found when it held items.
func (w *walker) readSource(ctx context.Context, src source, r read) error {
	if _, seen := w.visited[src]; seen {
		return nil
	}
	w.visited[src] = false
	in := src.query(w.table)
	if w.visit == nil {
		switch {
		case r.probe:
			in = src.probe(w.table)
		case r.projection != "":
			in.ProjectionExpression, in.ExpressionAttributeNames = aws.String(r.projection), r.names
		}
		if r.key != "" {
			in.KeyConditionExpression = aws.String("pk = :pk AND sk = :sk")
			in.ExpressionAttributeValues[":sk"] = s(r.key)
		}
	}
	held, err := w.read(ctx, src, in, r.probe && w.visit == nil)
	if err == nil && !held && r.key != "" && w.visit == nil {
		held, err = w.read(ctx, src, src.probe(w.table), true)
	}
	if held {
		w.found = append(w.found, src)
		w.visited[src] = true
	}
	return err
}

// read runs in, feeding every item to the index and visit; a probe stops
// after the first page.
func (w *walker) read(ctx context.Context, src source, in *dynamodb.QueryInput, probe bool) (held bool, err error) {
	err = eachPage(ctx, w.db, in, "read "+src.pk, func(page []item) (bool, error) {
		for _, it := range page {
			held = true
			pk := str(it, "pk")
			if pk == "" {
				pk = src.pk
			}
			fam := family(w.org, pk, str(it, "sk"))
			w.ix.observe(w.org, fam, pk, it)
			if w.visit != nil {
				if err := w.visit(fam, it); err != nil {
					return false, err
				}
			}
		}
		return !probe, nil
	})
	return held, err
}

// auditMonths lists the yyyymm months that may hold audit entries: from a
// month before the oldest creation time the org records (entries describe
// actions on the org, which come after it exists) to a month past now (for
// clock skew), and never further back than auditYears.
func auditMonths(oldest, now time.Time) []string {
	start := now.AddDate(-auditYears, 0, 0)
	if !oldest.IsZero() && oldest.AddDate(0, -1, 0).After(start) {
		start = oldest.AddDate(0, -1, 0)
	}
	end := now.AddDate(0, 1, 0)
	var out []string
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(end); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("200601"))
	}
	return out
}
