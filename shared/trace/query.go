package trace

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Query selects traces.
type Query struct {
	From, To  time.Time // [From, To), at most 31 days apart
	Workspace string
	Model     string // model name, or provider/model
	Alias     string
	Tag       string // key=value
	Limit     int    // 1..1000, default 100
	Cursor    string // from the previous page
}

// MaxQueryRange bounds one query's time range.
const MaxQueryRange = 31 * 24 * time.Hour

// cursor is where the previous page stopped: the day and the last sort key.
type cursor struct {
	Day string `json:"d"`
	SK  string `json:"s"`
}

func invalidQuery(code, msg string) error { return apperr.New(apperr.Invalid, code, msg) }

// List returns traces newest first and a cursor for the next page ("" at
// the end). Expired traces are hidden even before DynamoDB's TTL removes
// them; sealed content is never returned.
func (st *Store) List(ctx context.Context, db DB, org string, q Query) ([]Trace, string, error) {
	if q.Limit == 0 {
		q.Limit = 100
	}
	switch {
	case q.Limit < 0 || q.Limit > 1000:
		return nil, "", invalidQuery("invalid_limit", "limit must be between 1 and 1000")
	case !q.From.Before(q.To):
		return nil, "", invalidQuery("invalid_range", "from must be before to")
	case q.To.Sub(q.From) > MaxQueryRange:
		return nil, "", invalidQuery("range_too_long", "a trace query covers at most 31 days")
	}
	upper := q.To.UTC().Add(-time.Nanosecond).Format(skTime) + "#~"
	lower := q.From.UTC().Format(skTime)
	startDay := q.To.UTC().Add(-time.Nanosecond).Truncate(24 * time.Hour)
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, "", invalidQuery("invalid_cursor", "the cursor is not valid")
		}
		d, err := time.Parse("20060102", c.Day)
		if err != nil {
			return nil, "", invalidQuery("invalid_cursor", "the cursor is not valid")
		}
		startDay, upper = d, c.SK
	}
	filter, names, values := q.filter(st.clock())
	var out []Trace
	for day := startDay; !day.Before(q.From.UTC().Truncate(24 * time.Hour)); day = day.Add(-24 * time.Hour) {
		dayKey := day.Format("20060102")
		need := q.Limit - len(out)
		got, err := st.listDay(ctx, db, org, dayKey, lower, upper, need, filter, names, values)
		if err != nil {
			return nil, "", err
		}
		out = append(out, got...)
		if len(out) >= q.Limit {
			last := out[len(out)-1]
			return out, encodeCursor(cursor{Day: dayKey, SK: last.SK()}), nil
		}
		upper = day.Add(24*time.Hour-time.Nanosecond).Format(skTime) + "#~" // later days start from the top
	}
	return out, "", nil
}

// listDay merges the newest matching traces of one day's shards with sort
// keys in [lower, upper).
func (st *Store) listDay(ctx context.Context, db DB, org, day, lower, upper string, need int,
	filter *string, names map[string]string, values map[string]types.AttributeValue) ([]Trace, error) {
	var all []Trace
	for shard := 0; shard < Shards; shard++ {
		vals := map[string]types.AttributeValue{":pk": s(shardPK(org, day, shard)), ":lo": s(lower), ":hi": s(upper)}
		for k, v := range values {
			vals[k] = v
		}
		var start map[string]types.AttributeValue
		found := 0
		for found < need {
			out, err := db.Query(ctx, &dynamodb.QueryInput{
				TableName:                 aws.String(st.table),
				KeyConditionExpression:    aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
				FilterExpression:          filter,
				ExpressionAttributeNames:  names,
				ExpressionAttributeValues: vals,
				ScanIndexForward:          aws.Bool(false),
				Limit:                     aws.Int32(int32(min(need*2, 1000))),
				ExclusiveStartKey:         start,
			})
			if err != nil {
				return nil, unavailable("list traces", err)
			}
			for _, it := range out.Items {
				if sk, _ := it["sk"].(*types.AttributeValueMemberS); sk != nil && sk.Value == upper {
					continue // the previous page's last item
				}
				t, err := fromItem(it)
				if err != nil {
					return nil, apperr.Wrap(err, apperr.Internal, "corrupt_trace", "internal error")
				}
				all = append(all, t)
				found++
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			start = out.LastEvaluatedKey
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].SK() > all[j].SK() })
	if len(all) > need {
		all = all[:need]
	}
	return all, nil
}

// filter builds the filter expression: unexpired, and the query's fields.
// Every attribute goes through a name placeholder (several are reserved words).
func (q Query) filter(now time.Time) (*string, map[string]string, map[string]types.AttributeValue) {
	conds := []string{"#exp > :now"}
	names := map[string]string{"#exp": "expires_at"}
	values := map[string]types.AttributeValue{":now": n(now.Unix())}
	eq := func(attr, val string) {
		name, ph := "#"+attr, ":"+attr
		conds = append(conds, name+" = "+ph)
		names[name], values[ph] = attr, s(val)
	}
	if q.Workspace != "" {
		eq("workspace", q.Workspace)
	}
	if q.Model != "" {
		if prov, model, ok := strings.Cut(q.Model, "/"); ok {
			eq("provider", prov)
			eq("model", model)
		} else {
			eq("model", q.Model)
		}
	}
	if q.Alias != "" {
		eq("alias", q.Alias)
	}
	if k, v, ok := strings.Cut(q.Tag, "="); ok && k != "" {
		conds = append(conds, "#tags.#tk = :tv")
		names["#tags"], names["#tk"] = "tags", k
		values[":tv"] = s(v)
	}
	return aws.String(strings.Join(conds, " AND ")), names, values
}

func fromItem(it map[string]types.AttributeValue) (Trace, error) {
	var t Trace
	if err := attributevalue.UnmarshalMap(it, &t); err != nil {
		return t, err
	}
	if v, ok := it["time"].(*types.AttributeValueMemberS); ok {
		t.Time, _ = time.Parse(time.RFC3339Nano, v.Value)
	}
	t.SealedContent = "" // content is never listed
	return t, nil
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(v string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, err
	}
	if _, err := strconv.Atoi(c.Day); err != nil || len(c.Day) != 8 || c.SK == "" {
		return c, apperr.New(apperr.Invalid, "invalid_cursor", "the cursor is not valid")
	}
	return c, nil
}
