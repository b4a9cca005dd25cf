package trace

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/ddbbatch"
)

// Every trace write also puts an expiry marker under the org's partition,
//
//	ORG#<org>   EXPIRES#<expiry day>#<trace day>#<part>
//
// so retention finds what has expired with one Query over sorted keys,
// without scanning and without revisiting days that still have live traces.
// Workspaces keep traces for different periods, so one trace day can carry
// markers for several expiry days.
const expiryPrefix = "EXPIRES#"

func expiryMarkerSK(expiryDay, day string, part int) string {
	return fmt.Sprintf("%s%s#%s#%d", expiryPrefix, expiryDay, day, part)
}

// Expired names the traces of Day (yyyymmdd) whose retention ended on
// ExpiryDay: all of them have expired once ExpiryDay is over.
type Expired struct {
	ExpiryDay string
	Day       string
}

// ExpiredGroups lists org's trace groups whose expiry day is before now's
// UTC day, oldest expiry first.
func (st *Store) ExpiredGroups(ctx context.Context, db DB, org string, now time.Time) ([]Expired, error) {
	var groups []Expired
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(st.table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			// "EXPIRES#<today>" sorts before every marker of today.
			":pk": s("ORG#" + org), ":lo": s(expiryPrefix), ":hi": s(expiryPrefix + now.UTC().Format("20060102")),
		},
		ProjectionExpression: aws.String("sk"),
		ConsistentRead:       aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable("list expired traces", err)
		}
		for _, it := range page.Items {
			sk, _ := it["sk"].(*types.AttributeValueMemberS)
			if sk == nil {
				continue
			}
			parts := strings.Split(strings.TrimPrefix(sk.Value, expiryPrefix), "#")
			if len(parts) != 3 {
				continue
			}
			g := Expired{ExpiryDay: parts[0], Day: parts[1]}
			if len(groups) == 0 || groups[len(groups)-1] != g {
				groups = append(groups, g) // a group has several parts, adjacent
			}
		}
	}
	return groups, nil
}

// DeleteCursor is where DeleteExpired paused: a shard and the last key it
// deleted there. The zero value starts at the beginning.
type DeleteCursor struct {
	Shard int    `json:"shard"`
	SK    string `json:"sk,omitempty"`
}

// DeleteExpired deletes the traces of g.Day whose retention ended by now,
// shard by shard, starting at from. Traces of that day that are still
// within their (longer) retention are kept. After each page it asks stop,
// so every call makes progress; when stop says so it returns the cursor to
// resume from and done=false.
// When the group is finished its markers are removed and done is true.
// Deleting is idempotent, so resuming from an older cursor is safe.
func (st *Store) DeleteExpired(ctx context.Context, db DB, org string, g Expired, now time.Time, from DeleteCursor,
	stop func() bool) (next DeleteCursor, deleted int, done bool, err error) {
	c := from
	if c.Shard < 0 || c.Shard >= Shards {
		return c, 0, false, fmt.Errorf("delete expired traces: cursor shard %d out of range", c.Shard)
	}
	for c.Shard < Shards {
		pk := shardPK(org, g.Day, c.Shard)
		in := &dynamodb.QueryInput{
			TableName:                 aws.String(st.table),
			KeyConditionExpression:    aws.String("pk = :pk"),
			FilterExpression:          aws.String("#exp <= :now"),
			ExpressionAttributeNames:  map[string]string{"#exp": "expires_at"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":now": n(now.Unix())},
			ProjectionExpression:      aws.String("pk, sk"),
			Limit:                     aws.Int32(100),
		}
		if c.SK != "" {
			in.ExclusiveStartKey = map[string]types.AttributeValue{"pk": s(pk), "sk": s(c.SK)}
		}
		out, err := db.Query(ctx, in)
		if err != nil {
			return c, deleted, false, unavailable("list expired traces to delete", err)
		}
		if err := ddbbatch.Delete(ctx, db, st.table, out.Items); err != nil {
			return c, deleted, false, unavailable("delete expired traces", err)
		}
		deleted += len(out.Items)
		if out.LastEvaluatedKey == nil {
			c.Shard, c.SK = c.Shard+1, ""
		} else {
			c.SK = out.LastEvaluatedKey["sk"].(*types.AttributeValueMemberS).Value
		}
		if c.Shard < Shards && stop() {
			return c, deleted, false, nil
		}
	}
	for part := 0; part < writeSpread; part++ {
		_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(st.table),
			Key: map[string]types.AttributeValue{"pk": s("ORG#" + org), "sk": s(expiryMarkerSK(g.ExpiryDay, g.Day, part))}})
		if err != nil {
			return c, deleted, false, unavailable("remove expiry marker", err)
		}
	}
	return DeleteCursor{}, deleted, true, nil
}

// RedactDue removes sealed content from org's traces whose redaction time
// is before now, at most max of them, and returns how many it redacted.
// Each marker is removed after its trace, so a rerun never redoes work and
// a run killed between the two only repeats a harmless REMOVE.
func (st *Store) RedactDue(ctx context.Context, db DB, org string, now time.Time, max int) (int, error) {
	out, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(st.table),
		KeyConditionExpression: aws.String("pk = :pk AND sk < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s("ORG#" + org + "#REDACT"), ":now": s(fmt.Sprintf("%012d", now.Unix())),
		},
		Limit:          aws.Int32(int32(max)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, unavailable("list content to redact", err)
	}
	done := 0
	for _, m := range out.Items {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:           aws.String(st.table),
			Key:                 map[string]types.AttributeValue{"pk": m["trace_pk"], "sk": m["trace_sk"]},
			UpdateExpression:    aws.String("REMOVE sealed_content, redact_at SET redacted_at = :now"),
			ConditionExpression: aws.String("attribute_exists(pk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}},
		})
		var ccf *types.ConditionalCheckFailedException
		if err != nil && !errors.As(err, &ccf) { // a trace deleted meanwhile needs no redaction
			return done, unavailable("redact content", err)
		}
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(st.table),
			Key: map[string]types.AttributeValue{"pk": m["pk"], "sk": m["sk"]}}); err != nil {
			return done, unavailable("remove redaction marker", err)
		}
		done++
	}
	return done, nil
}
