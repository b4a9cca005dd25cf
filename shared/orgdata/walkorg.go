package orgdata

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tollgate-dev/tollgate/shared/shadow"
)

const (
	// idempotencyShards covers the idempotency package's 8 key shards
	// with room for a deployment that spreads keys wider.
	idempotencyShards = 64
	// shadowDays are the days whose aggregates can name the alias of a
	// shadow sample that still exists: samples are held at most
	// shadow.MaxHold, plus the days DynamoDB may take to act on an
	// expired item.
	shadowDays = int(shadow.MaxHold/(24*time.Hour)) + 8
)

// aggregateAliases learns the (workspace, alias) pairs the wsalias
// aggregates of the last shadowDays name. A walk that visits items has
// read those aggregates whole already; one for the index alone reads just
// their sort keys and values, and only on days that hold aggregates.
func (w *walker) aggregateAliases(ctx context.Context) error {
	if w.visit != nil {
		return nil
	}
	for d := w.now.AddDate(0, 0, -shadowDays); !d.After(w.now.AddDate(0, 0, 2)); d = d.AddDate(0, 0, 1) {
		pk := aggPK(w.org, d.Format("20060102"))
		if !w.visited[source{pk: pk}] {
			continue
		}
		in := partitionQuery(w.table, pk)
		in.KeyConditionExpression = aws.String("pk = :pk AND begins_with(sk, :d)")
		in.ExpressionAttributeValues[":d"] = s(dimWSAlias + "#")
		in.ProjectionExpression = aws.String("sk, dim_value")
		err := eachPage(ctx, w.db, in, "read aliases of "+pk, func(page []item) (bool, error) {
			for _, it := range page {
				w.ix.addWorkspaceAlias(it)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// feedback reads the org's feedback through gsi1, where every feedback
// partition ORG#<org>#FB#<trace> is listed; nothing in the table names
// them all (a trace may be gone while its feedback is kept).
func (w *walker) feedback(ctx context.Context) error {
	return w.readSource(ctx, source{pk: feedbackIndexPK(w.org), index: true}, read{probe: true})
}

func (w *walker) drift(ctx context.Context) error {
	return w.partition(ctx, driftPK(w.org), read{probe: true})
}

func (w *walker) idempotency(ctx context.Context) error {
	for shard := range idempotencyShards {
		if err := w.partition(ctx, idemPK(w.org, shard), read{probe: true}); err != nil {
			return err
		}
	}
	return nil
}
