package retention

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// purgeTokens removes what is left of org's expired API tokens: the global
// lookup of every token past its valid_until (authentication already
// refuses it; TTL would remove it within days), and the org's own record
// once it has been listed as expired for TokenKeep. It returns how many
// records it purged. Both deletes are conditional on the expiry, so a token
// renewed meanwhile is left alone.
func (j *Job) purgeTokens(ctx context.Context, db trace.DB, org string, now time.Time) (int, error) {
	nowN := &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}
	keepN := &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(-j.cfg.TokenKeep).Unix(), 10)}
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:                 aws.String(j.cfg.Table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :tok)"),
		FilterExpression:          aws.String("valid_until < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("ORG#" + org), ":tok": str("TOKEN#"), ":now": nowN},
		ProjectionExpression:      aws.String("pk, sk, #h, valid_until"),
		ExpressionAttributeNames:  map[string]string{"#h": "hash"},
	})
	purged := 0
	var ccf *types.ConditionalCheckFailedException
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return purged, fmt.Errorf("list expired tokens: %w", err)
		}
		for _, it := range page.Items {
			if h, ok := it["hash"].(*types.AttributeValueMemberS); ok && h.Value != "" {
				_, err := j.cfg.Registry.DeleteItem(ctx, &dynamodb.DeleteItemInput{
					TableName:                 aws.String(j.cfg.Table),
					Key:                       map[string]types.AttributeValue{"pk": str(auth.LookupPK(h.Value)), "sk": str(auth.LookupSK)},
					ConditionExpression:       aws.String("attribute_not_exists(pk) OR valid_until < :now"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":now": nowN},
				})
				if err != nil && !errors.As(err, &ccf) {
					return purged, fmt.Errorf("delete expired token lookup: %w", err)
				}
			}
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
				TableName:                 aws.String(j.cfg.Table),
				Key:                       map[string]types.AttributeValue{"pk": it["pk"], "sk": it["sk"]},
				ConditionExpression:       aws.String("valid_until < :keep"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":keep": keepN},
			})
			switch {
			case err == nil:
				purged++
			case errors.As(err, &ccf): // still within TokenKeep, or renewed
			default:
				return purged, fmt.Errorf("delete expired token record: %w", err)
			}
		}
	}
	return purged, nil
}
