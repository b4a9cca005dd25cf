package dataset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/ddbbatch"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// Put stores items as a new dataset of workspace ws and returns its meta.
//
// Items are checked again (an item built in code meets the rules an upload
// does), encoded canonically, packed into chunks of at most ChunkBytes,
// sealed each under the org's data key bound to (ws, dataset, chunk number),
// and written one by one. The meta is written last: until it exists the
// dataset is not listed and cannot be read, so a crash midway leaves only
// unlisted chunks, which Put tries to remove at once and Delete sweeps.
func (s *Store) Put(ctx context.Context, db DB, sealer Sealer, org, ws, name string, items []Item) (Meta, error) {
	if err := checkRefs(org, ws); err != nil {
		return Meta{}, err
	}
	if sealer.Org() != org {
		return Meta{}, apperr.New(apperr.Internal, "sealer_org_mismatch", "internal error")
	}
	if !ValidName(name) {
		return Meta{}, apperr.New(apperr.Invalid, "invalid_name",
			fmt.Sprintf("name must be 1-%d characters of text without credentials", MaxNameLen)).WithParam("name")
	}
	if err := checkItems(items); err != nil {
		return Meta{}, err
	}
	p, err := pack(items)
	if err != nil {
		return Meta{}, apperr.Wrap(err, apperr.Internal, "dataset_encode_failed", "internal error")
	}
	if p.bytes > MaxStoredBytes {
		return Meta{}, apperr.New(apperr.TooLarge, "dataset_too_large", "the dataset is too large")
	}
	m := Meta{ID: id.New(IDPrefix), Workspace: ws, Name: name, Items: len(items), Chunks: len(p.chunks),
		Bytes: p.bytes, SHA256: p.sha256, Created: s.cfg.Clock().UTC()}
	for n, chunk := range p.chunks {
		if err := s.putChunk(ctx, db, sealer, org, ws, m.ID, n, chunk); err != nil {
			s.removeChunks(ctx, db, org, m.ID, n+1) // chunk n may have been written
			return Meta{}, err
		}
	}
	item, err := attributevalue.MarshalMap(m)
	if err != nil {
		return Meta{}, apperr.Wrap(err, apperr.Internal, "dataset_encode_failed", "internal error")
	}
	item["pk"], item["sk"] = str(metaPK(org, ws)), str(m.ID)
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.cfg.Table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")}); err != nil {
		s.removeChunks(ctx, db, org, m.ID, len(p.chunks))
		return Meta{}, unavailable("write dataset meta", err)
	}
	return m, nil
}

// checkItems applies the item rules with the maximum limits.
func checkItems(items []Item) error {
	if len(items) == 0 {
		return apperr.New(apperr.Invalid, "dataset_empty", "the dataset has no items")
	}
	if len(items) > MaxItems {
		return apperr.New(apperr.Invalid, "too_many_items", fmt.Sprintf("a dataset may have at most %d items", MaxItems))
	}
	for i, it := range items {
		if p := it.check(DefaultLimits); p != nil {
			return apperr.New(apperr.Invalid, "invalid_item", fmt.Sprintf("item %d: %s: %s", i, p.code, p.msg))
		}
	}
	return nil
}

// putChunk seals and writes chunk n. The ws attribute lets Delete sweep a
// dataset's chunks without its meta while never touching another
// workspace's.
func (s *Store) putChunk(ctx context.Context, db DB, sealer Sealer, org, ws, ds string, n int, chunk []byte) error {
	sealed, err := sealer.Seal(ctx, purpose, record(ws, ds, n), chunk)
	if err != nil {
		return fmt.Errorf("seal chunk %d: %w", n, err)
	}
	item := key(chunkPK(org, ds), chunkSK(n))
	item[attrWS], item[attrData] = str(ws), str(sealed)
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.cfg.Table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		// The SDK retries a write whose answer was lost (a timeout under
		// load); the retry then finds the item its first attempt wrote.
		// Only a chunk holding exactly these sealed bytes is ours: a fresh
		// random ID colliding with another upload's never is in practice.
		if s.ownChunk(ctx, db, item) {
			return nil
		}
		return apperr.Wrap(err, apperr.Conflict, "dataset_exists", "retry the upload")
	}
	if err != nil {
		return unavailable(fmt.Sprintf("write chunk %d", n), err)
	}
	return nil
}

// removeChunks deletes the first n chunks of an unfinished Put, best effort:
// it runs even when ctx was cancelled, and what it leaves Delete sweeps.
func (s *Store) removeChunks(ctx context.Context, db DB, org, ds string, n int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	keys := make([]map[string]types.AttributeValue, n)
	for i := range keys {
		keys[i] = key(chunkPK(org, ds), chunkSK(i))
	}
	_ = ddbbatch.Delete(ctx, db, s.cfg.Table, keys)
}

// ownChunk reports whether the stored item at want's key is want itself.
func (s *Store) ownChunk(ctx context.Context, db DB, want map[string]types.AttributeValue) bool {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.cfg.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"pk": want["pk"], "sk": want["sk"]}})
	if err != nil || out.Item == nil {
		return false
	}
	for _, attr := range []string{attrWS, attrData} {
		got, ok1 := out.Item[attr].(*types.AttributeValueMemberS)
		exp, ok2 := want[attr].(*types.AttributeValueMemberS)
		if !ok1 || !ok2 || got.Value != exp.Value {
			return false
		}
	}
	return true
}
