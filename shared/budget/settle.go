package budget

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// Settle records a call's actual cost and tokens, returns the rest of the
// reservation to every budget, and writes extra (the call's trace) in the
// same transaction. Pass a context that outlives the client's connection:
// settlement must not depend on the client.
//
// If the reservation already expired and was released by Reconcile, the
// spend is still recorded (a late settle), so nothing is billed twice or lost.
func (g *Gate) Settle(ctx context.Context, db DB, res *Reservation, out Outcome, extra ...types.TransactWriteItem) error {
	if out.Cost < 0 {
		out.Cost = 0
	}
	err := g.transact(ctx, db, "settle budget", g.settleItems(res, out, false, extra))
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && len(tce.CancellationReasons) > 0 &&
		aws.ToString(tce.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		err = g.transact(ctx, db, "settle budget late", g.settleItems(res, out, true, extra))
	}
	if err != nil {
		return fmt.Errorf("settle reservation %s: %w", res.RequestID, err)
	}
	return nil
}

func (g *Gate) settleItems(res *Reservation, out Outcome, late bool, extra []types.TransactWriteItem) []types.TransactWriteItem {
	table := aws.String(g.cfg.Table)
	items := make([]types.TransactWriteItem, 0, 1+len(res.budgets)+len(res.rates)+len(extra))
	if !late {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{
			TableName:           table,
			Key:                 map[string]types.AttributeValue{"pk": s(res.resPK), "sk": s(res.resSK)},
			ConditionExpression: aws.String("attribute_exists(pk)"),
		}})
	}
	for _, k := range res.budgets {
		u := &types.Update{
			TableName: table,
			Key:       map[string]types.AttributeValue{"pk": s(k.pk), "sk": s(k.sk)},
		}
		if late {
			u.UpdateExpression = aws.String("SET available = available - :a, spent = spent + :a")
			u.ExpressionAttributeValues = map[string]types.AttributeValue{":a": n(int64(out.Cost))}
		} else {
			u.UpdateExpression = aws.String("SET available = available + :refund, reserved = reserved - :c, spent = spent + :a")
			u.ExpressionAttributeValues = map[string]types.AttributeValue{
				":refund": n(int64(res.Cost - out.Cost)), ":c": n(int64(res.Cost)), ":a": n(int64(out.Cost))}
		}
		items = append(items, types.TransactWriteItem{Update: u})
	}
	if delta := out.Tokens - res.Tokens; delta != 0 {
		for _, k := range res.rates {
			items = append(items, types.TransactWriteItem{Update: &types.Update{
				TableName:                 table,
				Key:                       map[string]types.AttributeValue{"pk": s(k.pk), "sk": s(k.sk)},
				UpdateExpression:          aws.String("ADD toks :d"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(delta)},
			}})
		}
	}
	return append(items, extra...)
}

// Reconcile releases the org's reservations that expired unsettled (their
// invocation died) and returns how many it released. It is idempotent: a
// reservation is released at most once, and never after it was settled.
func (g *Gate) Reconcile(ctx context.Context, db DB, org string) (int, error) {
	now := g.cfg.Clock().UTC()
	released := 0
	for shard := 0; shard < g.cfg.Shards; shard++ {
		var start map[string]types.AttributeValue
		for {
			qctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
			out, err := db.Query(qctx, &dynamodb.QueryInput{
				TableName:              aws.String(g.cfg.Table),
				KeyConditionExpression: aws.String("pk = :pk AND sk < :now"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": s(resPK(org, shard)), ":now": s(fmt.Sprintf("%012d", now.Unix()))},
				ConsistentRead:    aws.Bool(true),
				ExclusiveStartKey: start,
			})
			cancel()
			if err != nil {
				return released, unavailable("list expired reservations", err)
			}
			for _, it := range out.Items {
				ok, err := g.release(ctx, db, it)
				if err != nil {
					return released, err
				}
				if ok {
					released++
				}
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			start = out.LastEvaluatedKey
		}
	}
	return released, nil
}

func (g *Gate) release(ctx context.Context, db DB, it map[string]types.AttributeValue) (bool, error) {
	cost := intAttr(it, "cost")
	table := aws.String(g.cfg.Table)
	items := []types.TransactWriteItem{{Delete: &types.Delete{
		TableName:           table,
		Key:                 map[string]types.AttributeValue{"pk": it["pk"], "sk": it["sk"]},
		ConditionExpression: aws.String("attribute_exists(pk)"),
	}}}
	if l, ok := it["budgets"].(*types.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			sv, _ := v.(*types.AttributeValueMemberS)
			if sv == nil {
				continue
			}
			pk, sk, _ := strings.Cut(sv.Value, "|")
			items = append(items, types.TransactWriteItem{Update: &types.Update{
				TableName:                 table,
				Key:                       map[string]types.AttributeValue{"pk": s(pk), "sk": s(sk)},
				UpdateExpression:          aws.String("SET available = available + :c, reserved = reserved - :c"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":c": n(cost)},
			}})
		}
	}
	err := g.transact(ctx, db, "release expired reservation", items)
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return false, nil // settled or released meanwhile
	}
	return err == nil, err
}

// Spend is one budget counter's state for a month.
type Spend struct {
	Cap, Available, Reserved, Spent pricing.NanoUSD
}

// Read returns a budget counter's state for the month containing at;
// scope is "org", a workspace ID or a token ID.
func (g *Gate) Read(ctx context.Context, db interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}, org, scope string, at time.Time) (Spend, error) {
	return g.read(ctx, db, org, scope, period(at))
}

// ReadLifetime reads a lifetime counter (a Cap with Lifetime set): what
// one evaluation run has spent and holds in flight.
func (g *Gate) ReadLifetime(ctx context.Context, db interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}, org, scope string) (Spend, error) {
	return g.read(ctx, db, org, scope, LifetimePeriod)
}

func (g *Gate) read(ctx context.Context, db interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}, org, scope, sk string) (Spend, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(g.cfg.Table),
		Key:            map[string]types.AttributeValue{"pk": s(budgetPK(org, scope)), "sk": s(sk)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Spend{}, unavailable("read budget", err)
	}
	return Spend{
		Cap: pricing.NanoUSD(intAttr(out.Item, "cap")), Available: pricing.NanoUSD(intAttr(out.Item, "available")),
		Reserved: pricing.NanoUSD(intAttr(out.Item, "reserved")), Spent: pricing.NanoUSD(intAttr(out.Item, "spent")),
	}, nil
}
