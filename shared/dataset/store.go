package dataset

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// IDPrefix names dataset IDs, so a misplaced one is obvious in logs.
const IDPrefix = "ds_"

// DB is the part of the DynamoDB API the store uses. Pass the org's scoped
// client: the TenantRole policy then refuses any key outside the org.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Config configures a Store.
type Config struct {
	Table string
	Clock func() time.Time
}

// Store keeps datasets sealed in the table. It holds no state beyond its
// configuration and is safe for concurrent use.
type Store struct{ cfg Config }

// NewStore returns a Store.
func NewStore(cfg Config) *Store {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Store{cfg: cfg}
}

// Meta describes a stored dataset; it is what List shows, without opening
// any chunk. Bytes and SHA256 are of the canonical encoding (one compact
// JSON item a line), so the same items always give the same digest and an
// evaluation can name exactly the data it ran on.
type Meta struct {
	ID        string    `json:"id" dynamodbav:"dataset"`
	Workspace string    `json:"workspace" dynamodbav:"workspace"`
	Name      string    `json:"name" dynamodbav:"name"`
	Items     int       `json:"items" dynamodbav:"items"`
	Chunks    int       `json:"chunks" dynamodbav:"chunks"`
	Bytes     int64     `json:"bytes" dynamodbav:"bytes"`
	SHA256    string    `json:"sha256" dynamodbav:"sha256"`
	Created   time.Time `json:"created_at" dynamodbav:"created_at"`
}

// Keys: see the package comment.
const (
	skChunkPre = "CHUNK#"
	attrData   = "data"
	attrWS     = "ws"
)

func metaPK(org, ws string) string  { return "ORG#" + org + "#DSMETA#" + ws }
func chunkPK(org, ds string) string { return "ORG#" + org + "#DS#" + ds }
func chunkSK(n int) string          { return fmt.Sprintf("%s%05d", skChunkPre, n) }

// record names chunk n of a dataset in its seal, so the chunk opens only as
// that chunk of that dataset in that workspace.
func record(ws, ds string, n int) string { return fmt.Sprintf("%s/%s/%d", ws, ds, n) }

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}
}

// checkRefs refuses IDs that are not Tollgate IDs before they become part of
// a key, so no caller can reach another partition by crafting one.
func checkRefs(org, ws string) error {
	if !id.Valid(id.Org, org) {
		return apperr.New(apperr.Internal, "invalid_org", "internal error")
	}
	if !id.Valid(id.Workspace, ws) {
		return apperr.New(apperr.Invalid, "invalid_workspace", "no such workspace").WithParam("workspace")
	}
	return nil
}

func notFound() error {
	return apperr.New(apperr.NotFound, "dataset_not_found", "no such dataset")
}

func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "dataset_store_unavailable",
		"datasets could not be reached; retry shortly").WithRetryAfter(time.Second)
}

// corrupt reports a stored dataset that is not what its meta describes.
// The cause names positions only, never content.
func corrupt(ds, format string, args ...any) error {
	return apperr.Wrap(fmt.Errorf("dataset %s: "+format, append([]any{ds}, args...)...),
		apperr.Internal, "dataset_corrupt", "internal error")
}
