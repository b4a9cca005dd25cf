package trace

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Aggregate dimensions.
const (
	DimAll   = "all"
	DimModel = "model" // value: provider/model
	DimAlias = "alias"
	// DimWorkspaceAlias is an alias's totals within its own workspace
	// (value: <workspace>/<alias>): alias names are per workspace, and a
	// recommendation's projected saving must not count another
	// workspace's alias of the same name.
	DimWorkspaceAlias = "wsalias"
	DimTag            = "tag" // value: key=value
)

type dimension struct{ name, value string }

func dimensions(t *Trace) []dimension {
	d := []dimension{{DimAll, ""}, {DimModel, t.Provider + "/" + t.Model}}
	if t.Alias != "" {
		d = append(d, dimension{DimAlias, t.Alias}, dimension{DimWorkspaceAlias, WorkspaceAlias(t.Workspace, t.Alias)})
	}
	keys := make([]string, 0, len(t.Tags))
	for k := range t.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d = append(d, dimension{DimTag, k + "=" + t.Tags[k]})
	}
	return d
}

// WorkspaceAlias is the DimWorkspaceAlias value of alias in workspace ws.
func WorkspaceAlias(ws, alias string) string { return ws + "/" + alias }

func aggPK(org, day string) string { return "ORG#" + org + "#AGG#" + day }

// writeSpread is how many items share one day's aggregate (and day marker)
// writes. Concurrent transactions conflict per item, so every call of a busy
// org writing the same "all" item would serialize; spread over a few items
// keyed by trace ID, they do not, and reads sum the parts.
const writeSpread = 8

func spreadOf(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % writeSpread)
}

// aggregateUpdate adds t to one dimension's daily totals.
func (st *Store) aggregateUpdate(t *Trace, day string, d dimension) types.TransactWriteItem {
	errs := int64(0)
	if t.Status != StatusOK {
		errs = 1
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(st.table),
		Key: map[string]types.AttributeValue{"pk": s(aggPK(t.Org, day)),
			"sk": s(d.name + "#" + d.value + "#" + strconv.Itoa(spreadOf(t.ID)))},
		UpdateExpression: aws.String(fmt.Sprintf("ADD requests :one, errors :e, tokens_in :ti, tokens_out :to, cost_nano :c, lat%d :one "+
			"SET dimension = :d, dim_value = :v, expires_at = :ttl", bucket(t.LatencyMS))),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": n(1), ":e": n(errs), ":ti": n(t.TokensIn), ":to": n(t.TokensOut), ":c": n(t.CostNano),
			":d": s(d.name), ":v": s(d.value), ":ttl": n(t.Time.Add(aggregateTTL).Unix()),
		},
	}}
}

// Aggregate is one day's totals for one dimension value.
type Aggregate struct {
	Day       string
	Dimension string
	Value     string
	Requests  int64
	Errors    int64
	TokensIn  int64
	TokensOut int64
	CostNano  int64
	Latency   Histogram
}

// Aggregates returns the daily totals of one dimension for every day in
// [from, to), oldest first, each value's parts summed.
func (st *Store) Aggregates(ctx context.Context, db DB, org string, from, to time.Time, dim string) ([]Aggregate, error) {
	if to.Sub(from) > 400*24*time.Hour {
		return nil, apperr.New(apperr.Invalid, "range_too_long", "aggregates cover at most 400 days per query")
	}
	var out []Aggregate
	for d := from.UTC().Truncate(24 * time.Hour); d.Before(to); d = d.Add(24 * time.Hour) {
		day := d.Format("20060102")
		p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
			TableName:                 aws.String(st.table),
			KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :dim)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(aggPK(org, day)), ":dim": s(dim + "#")},
		})
		byValue := map[string]int{} // value → index in out
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, unavailable("read aggregates", err)
			}
			for _, it := range page.Items {
				part := aggregateFrom(day, it)
				if i, ok := byValue[part.Value]; ok {
					out[i].add(part)
					continue
				}
				byValue[part.Value] = len(out)
				out = append(out, part)
			}
		}
	}
	return out, nil
}

func aggregateFrom(day string, it map[string]types.AttributeValue) Aggregate {
	num := func(k string) int64 {
		v, _ := it[k].(*types.AttributeValueMemberN)
		if v == nil {
			return 0
		}
		x, _ := strconv.ParseInt(v.Value, 10, 64)
		return x
	}
	str := func(k string) string {
		v, _ := it[k].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	a := Aggregate{Day: day, Dimension: str("dimension"), Value: str("dim_value"),
		Requests: num("requests"), Errors: num("errors"), TokensIn: num("tokens_in"), TokensOut: num("tokens_out"),
		CostNano: num("cost_nano"), Latency: Histogram{Buckets: make([]int64, bucketCount)}}
	for i := range a.Latency.Buckets {
		a.Latency.Buckets[i] = num("lat" + strconv.Itoa(i))
	}
	return a
}

func (a *Aggregate) add(b Aggregate) {
	a.Requests += b.Requests
	a.Errors += b.Errors
	a.TokensIn += b.TokensIn
	a.TokensOut += b.TokensOut
	a.CostNano += b.CostNano
	for i := range a.Latency.Buckets {
		a.Latency.Buckets[i] += b.Latency.Buckets[i]
	}
}

func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "trace_store_unavailable",
		"traces could not be read; retry shortly").WithRetryAfter(time.Second)
}
