package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// Get returns the meta of dataset ds of workspace ws, or NotFound (also for
// an ID of another workspace).
func (s *Store) Get(ctx context.Context, db DB, org, ws, ds string) (Meta, error) {
	if err := checkRefs(org, ws); err != nil {
		return Meta{}, err
	}
	if !id.Valid(IDPrefix, ds) {
		return Meta{}, notFound()
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.cfg.Table),
		Key: key(metaPK(org, ws), ds), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Meta{}, unavailable("read dataset meta", err)
	}
	if out.Item == nil {
		return Meta{}, notFound()
	}
	return decodeMeta(out.Item)
}

// List returns workspace ws's datasets, ordered by ID.
func (s *Store) List(ctx context.Context, db DB, org, ws string) ([]Meta, error) {
	if err := checkRefs(org, ws); err != nil {
		return nil, err
	}
	out := []Meta{}
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:                 aws.String(s.cfg.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(metaPK(org, ws))},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable("list datasets", err)
		}
		for _, it := range page.Items {
			m, err := decodeMeta(it)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

func decodeMeta(item map[string]types.AttributeValue) (Meta, error) {
	var m Meta
	if err := attributevalue.UnmarshalMap(item, &m); err != nil {
		return Meta{}, apperr.Wrap(err, apperr.Internal, "dataset_corrupt", "internal error")
	}
	return m, nil
}

// Items opens and decodes every chunk of dataset ds, checking the whole
// against its meta: the chunk numbers, the item count and the digest. A
// chunk that was altered, or moved from another dataset, workspace or org,
// fails its seal's authentication: Internal "dataset_unreadable", with
// secrets.ErrUnreadable in the chain. Anything else that does not match the
// meta is Internal "dataset_corrupt".
func (s *Store) Items(ctx context.Context, db DB, opener Opener, org, ws, ds string) ([]Item, error) {
	m, err := s.Get(ctx, db, org, ws, ds)
	if err != nil {
		return nil, err
	}
	if opener.Org() != org {
		return nil, apperr.New(apperr.Internal, "opener_org_mismatch", "internal error")
	}
	sealed, err := s.chunks(ctx, db, org, ws, m)
	if err != nil {
		return nil, err
	}
	items := make([]Item, 0, m.Items)
	h := sha256.New()
	var size int64
	for n, v := range sealed {
		plain, err := opener.Open(ctx, purpose, record(ws, ds, n), v)
		if errors.Is(err, secrets.ErrUnreadable) {
			return nil, apperr.Wrap(fmt.Errorf("dataset %s chunk %d: %w", ds, n, err), apperr.Internal,
				"dataset_unreadable", "internal error")
		}
		if err != nil {
			return nil, fmt.Errorf("open dataset %s chunk %d: %w", ds, n, err)
		}
		got, err := unpack(plain)
		if err != nil {
			return nil, corrupt(ds, "chunk %d: %w", n, err)
		}
		h.Write(plain)
		size += int64(len(plain))
		items = append(items, got...)
	}
	if len(items) != m.Items || size != m.Bytes || hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return nil, corrupt(ds, "%d items of %d bytes do not match the meta's %d of %d", len(items), size, m.Items, m.Bytes)
	}
	return items, nil
}

// chunks returns the sealed chunks of m in order, refusing a missing, extra
// or foreign one.
func (s *Store) chunks(ctx context.Context, db DB, org, ws string, m Meta) ([]string, error) {
	out := make([]string, 0, m.Chunks)
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(s.cfg.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :c)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(chunkPK(org, m.ID)), ":c": str(skChunkPre)},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable("read dataset chunks", err)
		}
		for _, it := range page.Items {
			n := len(out)
			sk, _ := it["sk"].(*types.AttributeValueMemberS)
			owner, _ := it[attrWS].(*types.AttributeValueMemberS)
			data, _ := it[attrData].(*types.AttributeValueMemberS)
			switch {
			case n >= m.Chunks:
				return nil, corrupt(m.ID, "more than %d chunks", m.Chunks)
			case sk == nil || sk.Value != chunkSK(n):
				return nil, corrupt(m.ID, "chunk %d is missing", n)
			case owner == nil || owner.Value != ws || data == nil:
				return nil, corrupt(m.ID, "chunk %d is not this workspace's", n)
			}
			out = append(out, data.Value)
		}
	}
	if len(out) != m.Chunks {
		return nil, corrupt(m.ID, "%d of %d chunks present", len(out), m.Chunks)
	}
	return out, nil
}
