package orgdata

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// OrgDB is the org's scoped client (a TenantRole session tagged with the
// org). Query (of the table and of its gsi1 index) and BatchWriteItem are
// all export and deletion need, and both are allowed on the org's own keys
// only, so a bug here cannot reach another org's items.
type OrgDB interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// GlobalDB is the API function's own client, which may delete the global
// TOKEN#<hash> lookups and the org's REGISTRY entry. It is separate from
// OrgDB because no single credential may touch both the org's items and
// items outside it; it has no BatchWriteItem grant, so deletes are single.
type GlobalDB interface {
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Counts is how many items each family held (Export: lines written;
// deletes: items removed), keyed by the Family* names, so a caller can
// report what an export holds or what a deletion removed.
type Counts map[string]int

// Total is the sum over all families.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}
