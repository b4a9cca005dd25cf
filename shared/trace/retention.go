package trace

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TraceDays lists the days (yyyymmdd) holding org's traces strictly before
// the day of before, oldest first.
func (st *Store) TraceDays(ctx context.Context, db DB, org string, before time.Time) ([]string, error) {
	var days []string
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(st.table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s("ORG#" + org), ":lo": s("TRACEDAY#"), ":hi": s("TRACEDAY#" + before.UTC().Format("20060102")),
		},
		ConsistentRead: aws.Bool(true),
	})
	cut := "TRACEDAY#" + before.UTC().Format("20060102")
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable("list trace days", err)
		}
		for _, it := range page.Items {
			sk := it["sk"].(*types.AttributeValueMemberS).Value
			day, _, _ := strings.Cut(strings.TrimPrefix(sk, "TRACEDAY#"), "#")
			if sk < cut && (len(days) == 0 || days[len(days)-1] != day) {
				days = append(days, day) // one day has several markers, in order
			}
		}
	}
	return days, nil
}

// dayCursor is where DeleteDay stopped.
type dayCursor struct {
	Shard int    `json:"h"`
	PK    string `json:"p,omitempty"`
	SK    string `json:"s,omitempty"`
}

// DeleteDay deletes one day of org's traces, shard by shard in batches of
// 25, resuming from cursor. It returns the cursor to resume from, or ""
// when the day is gone (its marker removed too). It stops early, with a
// cursor, when ctx's deadline is less than 5 seconds away.
func (st *Store) DeleteDay(ctx context.Context, db DB, org, day, cursorIn string) (next string, deleted int, err error) {
	var c dayCursor
	if cursorIn != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursorIn)
		if err != nil || json.Unmarshal(b, &c) != nil || c.Shard < 0 || c.Shard >= Shards {
			return "", 0, fmt.Errorf("delete day: bad cursor")
		}
	}
	for ; c.Shard < Shards; c.Shard, c.PK, c.SK = c.Shard+1, "", "" {
		var start map[string]types.AttributeValue
		if c.SK != "" {
			start = map[string]types.AttributeValue{"pk": s(c.PK), "sk": s(c.SK)}
		}
		for {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < 5*time.Second {
				b, _ := json.Marshal(c)
				return base64.RawURLEncoding.EncodeToString(b), deleted, nil
			}
			out, err := db.Query(ctx, &dynamodb.QueryInput{
				TableName:                 aws.String(st.table),
				KeyConditionExpression:    aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(shardPK(org, day, c.Shard))},
				ProjectionExpression:      aws.String("pk, sk"),
				Limit:                     aws.Int32(25),
				ExclusiveStartKey:         start,
			})
			if err != nil {
				return "", deleted, unavailable("list day to delete", err)
			}
			if err := st.deleteKeys(ctx, db, out.Items); err != nil {
				return "", deleted, err
			}
			deleted += len(out.Items)
			if out.LastEvaluatedKey == nil {
				break
			}
			start = out.LastEvaluatedKey
			c.PK = start["pk"].(*types.AttributeValueMemberS).Value
			c.SK = start["sk"].(*types.AttributeValueMemberS).Value
		}
	}
	for part := 0; part < writeSpread; part++ {
		_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(st.table),
			Key: map[string]types.AttributeValue{"pk": s("ORG#" + org), "sk": s(fmt.Sprintf("TRACEDAY#%s#%d", day, part))}})
		if err != nil {
			return "", deleted, unavailable("remove day marker", err)
		}
	}
	return "", deleted, nil
}

func (st *Store) deleteKeys(ctx context.Context, db DB, keys []map[string]types.AttributeValue) error {
	if len(keys) == 0 {
		return nil
	}
	reqs := make([]types.WriteRequest, len(keys))
	for i, k := range keys {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
	}
	pending := map[string][]types.WriteRequest{st.table: reqs}
	for len(pending) > 0 {
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return unavailable("delete traces", err)
		}
		pending = out.UnprocessedItems
	}
	return nil
}

// RedactDue removes sealed content from org's traces whose redaction date
// is before now, at most max of them, and returns how many it redacted.
// Each marker is removed after its trace, so a rerun never redoes work.
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
