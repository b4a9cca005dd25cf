package orgdata

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// feedbackIndex is the table's global secondary index on gsi1pk/gsi1sk
// (projection ALL), which lists an org's feedback partitions.
const feedbackIndex = "gsi1"

// source is what a walk reads and a deletion purges: one partition of the
// table, or one partition of gsi1 (index set), whose entries are the org's
// items in partitions that nothing else names, one partition per item
// (feedback). Reading the index rather than each partition it names costs
// one query per page instead of one per item.
type source struct {
	pk    string
	index bool
}

// query selects every item of src. The index is eventually consistent, so
// its reads are not strongly consistent; an item written a moment ago may
// be missing, and a rerun finds it.
func (src source) query(table string) *dynamodb.QueryInput {
	if !src.index {
		return partitionQuery(table, src.pk)
	}
	return &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		IndexName:                 aws.String(feedbackIndex),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(src.pk)},
	}
}

// probe reads just one key of src: whether it holds anything.
func (src source) probe(table string) *dynamodb.QueryInput {
	in := src.query(table)
	in.Limit, in.ProjectionExpression = aws.Int32(1), aws.String("pk")
	return in
}

func partitionQuery(table, pk string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk)},
		ConsistentRead:            aws.Bool(true),
	}
}
