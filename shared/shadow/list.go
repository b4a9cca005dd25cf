package shadow

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxList bounds one List: more samples than any one evaluation runs, few
// enough refs to hold in a Lambda's memory.
const MaxList = 5000

// List returns up to limit refs of the samples (ws, alias) still holds,
// oldest first, without any text. A limit of zero or less, or above
// MaxList, takes MaxList.
//
// Oldest first because samples expire: an evaluation that takes the oldest
// scores them before they are lost, and samples arriving while it runs
// land after the ones it already listed. Expired samples are skipped even
// when TTL has not removed them yet.
func (s *Store) List(ctx context.Context, db DB, org, ws, alias string, limit int) ([]Ref, error) {
	if err := checkScope(org, ws, alias); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	now := s.clock()
	out := []Ref{}
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("pk = :pk"),
		FilterExpression:       aws.String("#exp > :now"),
		// Never read the sealed document: List is metadata only.
		ProjectionExpression: aws.String("sk, #id, #model, #time, cost_nano, prompt_tokens, completion_tokens, #exp"),
		ExpressionAttributeNames: map[string]string{
			"#exp": attrExpires, "#id": "id", "#model": "model", "#time": "time"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":  str(samplePK(org, ws, alias)),
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}},
		ScanIndexForward: aws.Bool(true),
		ConsistentRead:   aws.Bool(true),
	}
	for len(out) < limit {
		// Ask for what is still missing, but at least 100 items a page, so
		// a run of expired samples at the head costs few round trips.
		in.Limit = aws.Int32(int32(min(max(limit-len(out), 100), 1000)))
		page, err := db.Query(ctx, in)
		if err != nil {
			return nil, unavailable("list shadow samples", err)
		}
		for _, av := range page.Items {
			r, err := decodeRef(av)
			if err != nil {
				return nil, err
			}
			if len(out) < limit {
				out = append(out, r)
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	return out, nil
}

// decodeRef reads a listed item, refusing one whose key Put would not write.
func decodeRef(av map[string]types.AttributeValue) (Ref, error) {
	var it item
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return Ref{}, corrupt("?", "item does not decode: %w", err)
	}
	if _, sampleID, ok := parseRef(it.SK); !ok || sampleID != it.ID {
		return Ref{}, corrupt(it.ID, "sort key does not match the sample")
	}
	return Ref{ID: it.ID, Key: it.SK, Model: it.Model, Time: it.Time, CostNano: it.CostNano,
		PromptTokens: it.PromptTokens, CompletionTokens: it.CompletionTokens,
		Expires: time.Unix(it.ExpiresAt, 0).UTC()}, nil
}
