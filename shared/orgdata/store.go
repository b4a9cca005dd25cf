package orgdata

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/ddbbatch"
)

// eachPage runs fn on every page of in's results until fn says stop.
// Store failures are Unavailable; fn's own errors pass through.
func eachPage(ctx context.Context, db OrgDB, in *dynamodb.QueryInput, op string, fn func([]item) (more bool, err error)) error {
	for {
		out, err := db.Query(ctx, in)
		if err != nil {
			return unavailable(op, err)
		}
		more, err := fn(out.Items)
		if err != nil || !more || out.LastEvaluatedKey == nil {
			return err
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// purge deletes every item in's query returns (in must project pk and sk),
// counting them by family. before runs on each page ahead of its deletion.
// Deleting a page does not disturb the query's paging, which resumes after
// the page's last key.
func purge(ctx context.Context, db OrgDB, table, org, op string, in *dynamodb.QueryInput, counts Counts, before func([]item) error) error {
	return eachPage(ctx, db, in, op, func(page []item) (bool, error) {
		if before != nil {
			if err := before(page); err != nil {
				return false, err
			}
		}
		keys := make([]item, len(page))
		for i, it := range page {
			keys[i] = item{"pk": it["pk"], "sk": it["sk"]}
		}
		if err := deleteKeys(ctx, db, table, keys); err != nil {
			return false, err
		}
		for _, it := range page {
			counts[family(org, str(it, "pk"), str(it, "sk"))]++
		}
		return true, nil
	})
}

// deleteKeys deletes keys in batches (package ddbbatch). Deleting a
// missing item succeeds, so a rerun after a crash simply repeats what was
// already done.
func deleteKeys(ctx context.Context, db OrgDB, table string, keys []item) error {
	if err := ddbbatch.Delete(ctx, db, table, keys); err != nil {
		return unavailable("delete items", err)
	}
	return nil
}

// purgeSource deletes every item src holds; for an index partition, the
// items its entries stand for.
func purgeSource(ctx context.Context, db OrgDB, table, org string, src source, counts Counts) error {
	in := src.query(table)
	in.ProjectionExpression = aws.String("pk, sk")
	return purge(ctx, db, table, org, "delete "+src.pk, in, counts, nil)
}

// purgeKey deletes the item pk/sk, counting it only when it was there.
func purgeKey(ctx context.Context, db OrgDB, table, org, pk, sk string, counts Counts) error {
	in := partitionQuery(table, pk)
	in.KeyConditionExpression = aws.String("pk = :pk AND sk = :sk")
	in.ExpressionAttributeValues[":sk"] = s(sk)
	in.ProjectionExpression = aws.String("pk, sk")
	return purge(ctx, db, table, org, "delete "+pk+" "+sk, in, counts, nil)
}
