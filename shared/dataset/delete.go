package dataset

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/ddbbatch"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// Delete removes dataset ds of workspace ws: the meta first, so the dataset
// stops being listed or readable at once, then every chunk of ws under the
// dataset's partition. Chunks are found by query rather than by the meta's
// count, so a rerun after a crash, or a Delete of a Put that crashed before
// its meta, sweeps whatever is left. It is NotFound only when neither a meta
// nor a chunk of ws was there.
func (s *Store) Delete(ctx context.Context, db DB, org, ws, ds string) error {
	if err := checkRefs(org, ws); err != nil {
		return err
	}
	if !id.Valid(IDPrefix, ds) {
		return notFound()
	}
	out, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.cfg.Table),
		Key: key(metaPK(org, ws), ds), ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		return unavailable("delete dataset meta", err)
	}
	keys, err := s.chunkKeys(ctx, db, org, ws, ds)
	if err != nil {
		return err
	}
	if err := ddbbatch.Delete(ctx, db, s.cfg.Table, keys); err != nil {
		return unavailable(fmt.Sprintf("delete %d chunks", len(keys)), err)
	}
	if len(out.Attributes) == 0 && len(keys) == 0 {
		return notFound()
	}
	return nil
}

// chunkKeys lists the keys of ds's chunks that belong to ws. The dataset
// partition is not per workspace, so the ws attribute keeps a Delete through
// one workspace from removing another's dataset.
func (s *Store) chunkKeys(ctx context.Context, db DB, org, ws, ds string) ([]map[string]types.AttributeValue, error) {
	var keys []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:                aws.String(s.cfg.Table),
		KeyConditionExpression:   aws.String("pk = :pk AND begins_with(sk, :c)"),
		FilterExpression:         aws.String("#ws = :ws"),
		ProjectionExpression:     aws.String("pk, sk"),
		ExpressionAttributeNames: map[string]string{"#ws": attrWS},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(chunkPK(org, ds)), ":c": str(skChunkPre), ":ws": str(ws)},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable("list dataset chunks", err)
		}
		keys = append(keys, page.Items...)
	}
	return keys, nil
}
