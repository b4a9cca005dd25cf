package secrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/tollgate-dev/tollgate/shared/id"
)

// Data keys live in the org's own partition: one item per key and one
// pointer naming the key new secrets are sealed with.
const (
	skDataKeyPointer = "DATAKEY"
	skDataKeyPrefix  = "DATAKEY#"
	// kmsPurpose is the purpose half of the data key's KMS encryption context.
	kmsPurpose = "org-data-key"
)

type dataKey struct {
	id    string
	plain []byte
}

func pk(org string) types.AttributeValue { return &types.AttributeValueMemberS{Value: "ORG#" + org} }
func str(v string) types.AttributeValue  { return &types.AttributeValueMemberS{Value: v} }

func (e *Envelope) kmsContext(org string) map[string]string {
	return map[string]string{"org": org, "purpose": kmsPurpose}
}

// currentKey returns the key new secrets are sealed with, creating the org's
// first one when it has none.
func (e *Envelope) currentKey(ctx context.Context, s Scope) (dataKey, error) {
	if keyID, ok := e.cache.current(s.Org); ok {
		return e.key(ctx, s, keyID)
	}
	out, err := s.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(e.cfg.Table),
		Key:            map[string]types.AttributeValue{"pk": pk(s.Org), "sk": str(skDataKeyPointer)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return dataKey{}, unavailable("read data key pointer", err)
	}
	if v, ok := out.Item["key_id"].(*types.AttributeValueMemberS); ok {
		e.cache.setCurrent(s.Org, v.Value)
		return e.key(ctx, s, v.Value)
	}
	k, err := e.newKey(ctx, s, true)
	var cancelled *types.TransactionCanceledException
	if errors.As(err, &cancelled) {
		// Another instance created the org's first key at the same time: use theirs.
		return e.currentKey(ctx, s)
	}
	return k, err
}

// Rotate makes a new data key current. Secrets sealed under earlier keys
// still open; re-encrypting them is their owner's job (KeyID tells which).
func (e *Envelope) Rotate(ctx context.Context, s Scope) (string, error) {
	k, err := e.newKey(ctx, s, false)
	if err != nil {
		return "", err
	}
	return k.id, nil
}

// newKey generates a data key, stores it wrapped and points the org at it.
// With first set, the pointer is written only if none exists.
func (e *Envelope) newKey(ctx context.Context, s Scope, first bool) (dataKey, error) {
	gen, err := s.KMS.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:             aws.String(e.cfg.KMSKeyARN),
		KeySpec:           kmstypes.DataKeySpecAes256,
		EncryptionContext: e.kmsContext(s.Org),
	})
	if err != nil {
		return dataKey{}, unavailable("generate data key", err)
	}
	k := dataKey{id: id.New(dataKeyPrefix), plain: gen.Plaintext}
	now := e.cfg.Clock().UTC().Format(time.RFC3339)
	pointer := &types.Put{
		TableName: aws.String(e.cfg.Table),
		Item:      map[string]types.AttributeValue{"pk": pk(s.Org), "sk": str(skDataKeyPointer), "key_id": str(k.id), "updated_at": str(now)},
	}
	if first {
		pointer.ConditionExpression = aws.String("attribute_not_exists(pk)")
	}
	_, err = s.DynamoDB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{
			TableName:           aws.String(e.cfg.Table),
			Item:                map[string]types.AttributeValue{"pk": pk(s.Org), "sk": str(skDataKeyPrefix + k.id), "wrapped": &types.AttributeValueMemberB{Value: gen.CiphertextBlob}, "created_at": str(now)},
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		{Put: pointer},
	}})
	if err != nil {
		var cancelled *types.TransactionCanceledException
		if errors.As(err, &cancelled) {
			return dataKey{}, err
		}
		return dataKey{}, unavailable("store data key", err)
	}
	e.cache.put(s.Org, k)
	e.cache.setCurrent(s.Org, k.id)
	return k, nil
}

// key returns a data key by ID, unwrapping it with the org's scoped KMS
// client when it is not cached.
func (e *Envelope) key(ctx context.Context, s Scope, keyID string) (dataKey, error) {
	if k, ok := e.cache.get(s.Org, keyID); ok {
		return k, nil
	}
	out, err := s.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(e.cfg.Table),
		Key:            map[string]types.AttributeValue{"pk": pk(s.Org), "sk": str(skDataKeyPrefix + keyID)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return dataKey{}, unavailable("read data key", err)
	}
	wrapped, ok := out.Item["wrapped"].(*types.AttributeValueMemberB)
	if !ok {
		return dataKey{}, unreadable(fmt.Errorf("data key %s not found", keyID))
	}
	dec, err := s.KMS.Decrypt(ctx, &kms.DecryptInput{
		KeyId:             aws.String(e.cfg.KMSKeyARN),
		CiphertextBlob:    wrapped.Value,
		EncryptionContext: e.kmsContext(s.Org),
	})
	if err != nil {
		return dataKey{}, unreadable(fmt.Errorf("unwrap data key: %w", err))
	}
	k := dataKey{id: keyID, plain: dec.Plaintext}
	e.cache.put(s.Org, k)
	return k, nil
}

// DestroyKeys deletes every wrapped data key of the org (crypto-shredding):
// afterwards none of the org's sealed secrets can be opened, wherever a copy
// of the ciphertext survives.
func (e *Envelope) DestroyKeys(ctx context.Context, s Scope) error {
	var start map[string]types.AttributeValue
	for {
		out, err := s.DynamoDB.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(e.cfg.Table),
			KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :sk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": pk(s.Org), ":sk": str(skDataKeyPointer)},
			ProjectionExpression:      aws.String("pk, sk"),
			ConsistentRead:            aws.Bool(true),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return unavailable("list data keys", err)
		}
		for i := 0; i < len(out.Items); i += 25 {
			batch := out.Items[i:min(i+25, len(out.Items))]
			reqs := make([]types.WriteRequest, len(batch))
			for j, it := range batch {
				reqs[j] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: it}}
			}
			pending := map[string][]types.WriteRequest{e.cfg.Table: reqs}
			for len(pending) > 0 {
				res, err := s.DynamoDB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
				if err != nil {
					return unavailable("delete data keys", err)
				}
				pending = res.UnprocessedItems
			}
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	e.cache.forgetOrg(s.Org)
	return nil
}
