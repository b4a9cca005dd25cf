package workspace

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// AdminDB is what the management writers need from the org's scoped
// DynamoDB client: the gateway's reads plus conditional writes and
// transactions. *dynamodb.Client satisfies it; taking the scoped client,
// never a table-wide one, is what keeps one org's call inside its own items.
type AdminDB interface {
	DB
	TxDB
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// revAttempts bounds how often an update is re-planned after another writer
// changed the item between its read and its write. Each lost race means
// another update succeeded, so this is also the concurrency it absorbs.
const revAttempts = 64

// change is one planned update: attributes to set and attributes to remove.
type change struct {
	set    map[string]any
	remove []string
}

func (c *change) put(attr string, v any) {
	if c.set == nil {
		c.set = map[string]any{}
	}
	c.set[attr] = v
}

func (c *change) empty() bool { return len(c.set) == 0 && len(c.remove) == 0 }

// revUpdate changes the item at (pk, sk) by a read-modify-write: plan sees the
// item as read and returns the change; the write is conditional on the
// item's rev counter being unchanged and increments it, so no concurrent
// update is lost and plan's validation always saw the state it changes.
// It returns the item before and after. missing is returned when the item
// does not exist.
func (s *Store) revUpdate(ctx context.Context, db AdminDB, op, pk, sk string,
	missing *apperr.Error, plan func(old map[string]types.AttributeValue) (change, error),
) (before, after map[string]types.AttributeValue, err error) {
	key := map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}
	backoff := 2 * time.Millisecond
	for attempt := 1; ; attempt++ {
		item, err := s.readItem(ctx, db, pk, sk, missing, op+": read")
		if err != nil {
			return nil, nil, err
		}
		ch, err := plan(item)
		if err != nil {
			return nil, nil, err
		}
		if ch.empty() {
			return item, item, nil
		}
		in, err := s.revUpdateInput(key, item, ch)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", op, err)
		}
		res, err := db.UpdateItem(ctx, in)
		if err == nil {
			return item, res.Attributes, nil
		}
		var ccf *types.ConditionalCheckFailedException
		if !errors.As(err, &ccf) {
			return nil, nil, unavailable(op+": write", err)
		}
		if attempt >= revAttempts {
			return nil, nil, apperr.Wrap(fmt.Errorf("%s: %d attempts lost the race", op, attempt), apperr.Conflict,
				"concurrent_update", "the settings are being changed concurrently; retry").WithRetryAfter(time.Second)
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("%s: %w", op, ctx.Err())
		case <-time.After(backoff/2 + rand.N(backoff)):
		}
		backoff = min(backoff*2, 50*time.Millisecond)
	}
}

// revUpdateInput builds the conditional UpdateItem for ch on the item old.
func (s *Store) revUpdateInput(key, old map[string]types.AttributeValue, ch change) (*dynamodb.UpdateItemInput, error) {
	names := map[string]string{"#rev": "rev", "#pk": "pk"}
	values := map[string]types.AttributeValue{}
	var sets []string
	attrs := make([]string, 0, len(ch.set))
	for a := range ch.set {
		attrs = append(attrs, a)
	}
	sort.Strings(attrs) // a stable expression, for logs
	for i, a := range attrs {
		v, err := attributevalue.Marshal(ch.set[a])
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", a, err)
		}
		n, p := "#a"+strconv.Itoa(i), ":v"+strconv.Itoa(i)
		names[n], values[p] = a, v
		sets = append(sets, n+" = "+p)
	}
	var rev int64
	if av, ok := old["rev"]; ok {
		if err := attributevalue.Unmarshal(av, &rev); err != nil {
			return nil, fmt.Errorf("decode rev: %w", err)
		}
	}
	values[":next"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(rev+1, 10)}
	sets = append(sets, "#rev = :next")
	expr := "SET " + strings.Join(sets, ", ")
	if len(ch.remove) > 0 {
		var rm []string
		for i, a := range ch.remove {
			n := "#r" + strconv.Itoa(i)
			names[n] = a
			rm = append(rm, n)
		}
		expr += " REMOVE " + strings.Join(rm, ", ")
	}
	cond := "attribute_exists(#pk) AND attribute_not_exists(#rev)"
	if rev != 0 {
		cond = "attribute_exists(#pk) AND #rev = :rev"
		values[":rev"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(rev, 10)}
	}
	return &dynamodb.UpdateItemInput{
		TableName: aws.String(s.cfg.Table), Key: key,
		UpdateExpression: aws.String(expr), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values,
		ReturnValues: types.ReturnValueAllNew,
	}, nil
}

// invalidateOrg drops every cached snapshot of org: org settings are part
// of each of its workspaces' snapshots.
func (s *Store) invalidateOrg(org string) {
	prefix := org + "/"
	s.mu.Lock()
	for k := range s.cache {
		if strings.HasPrefix(k, prefix) {
			delete(s.cache, k)
		}
	}
	s.mu.Unlock()
}
