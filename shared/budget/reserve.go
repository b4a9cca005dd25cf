package budget

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// budgetCheck is one spend cap a call reserves against.
type budgetCheck struct {
	scope, label string
	cap          pricing.NanoUSD
	lifetime     bool
}

// counterSK is the sort key of b's counter at now: its month, or the
// lifetime period.
func (b budgetCheck) counterSK(now time.Time) string {
	if b.lifetime {
		return LifetimePeriod
	}
	return period(now)
}

// rateCheck is one per-minute counter a call counts against.
type rateCheck struct {
	scope, label string
	rpm, tpm     int64
}

func (r *Request) checks() ([]budgetCheck, []rateCheck) {
	orDefault := func(c pricing.NanoUSD) pricing.NanoUSD {
		if c <= 0 {
			return Unlimited
		}
		return c
	}
	b := []budgetCheck{
		{"org", "the organization's", orDefault(r.Limits.OrgCap), false},
		{r.Workspace, "this workspace's", orDefault(r.Limits.WorkspaceCap), false},
	}
	if r.TokenID != "" && r.Limits.TokenCap > 0 {
		b = append(b, budgetCheck{r.TokenID, "this API key's", r.Limits.TokenCap, false})
	}
	for _, c := range r.Extra {
		b = append(b, budgetCheck{c.Scope, c.Label, c.Cap, c.Lifetime})
	}
	var rl []rateCheck
	if r.Limits.WorkspaceRPM > 0 || r.Limits.WorkspaceTPM > 0 {
		rl = append(rl, rateCheck{r.Workspace, "this workspace's", r.Limits.WorkspaceRPM, r.Limits.WorkspaceTPM})
	}
	if r.TokenID != "" && (r.Limits.TokenRPM > 0 || r.Limits.TokenTPM > 0) {
		rl = append(rl, rateCheck{r.TokenID, "this API key's", r.Limits.TokenRPM, r.Limits.TokenTPM})
	}
	return b, rl
}

// Reserve holds r.Cost on every applicable budget and counts the call
// against every rate limit, atomically, or refuses without changing anything:
// BudgetExhausted, RateLimited, or Unavailable when the store cannot be
// reached in time (fail closed).
func (g *Gate) Reserve(ctx context.Context, db DB, r Request) (*Reservation, error) {
	if r.Cost < 0 || r.Tokens < 0 || r.Org == "" || r.Workspace == "" || r.RequestID == "" {
		return nil, apperr.New(apperr.Internal, "invalid_reservation", "internal error")
	}
	for _, c := range r.Extra {
		if c.Scope == "" || c.Scope == "org" || c.Scope == r.Workspace || c.Cap <= 0 {
			return nil, apperr.New(apperr.Internal, "invalid_reservation", "internal error")
		}
	}
	budgets, rates := r.checks()
	now := g.cfg.Clock().UTC()
	for _, b := range budgets {
		if b.cap < r.Cost {
			return nil, g.exhausted(b, now)
		}
	}
	for _, rc := range rates {
		if rc.tpm > 0 && r.Tokens > rc.tpm {
			return nil, apperr.New(apperr.RateLimited, "request_too_large",
				fmt.Sprintf("the request may use up to %d tokens, more than %s limit of %d tokens per minute", r.Tokens, rc.label, rc.tpm))
		}
	}
	reconciled := false
	for attempt := 0; attempt < 4; attempt++ {
		res, items := g.reserveItems(r, budgets, rates, now)
		err := g.transact(ctx, db, "reserve budget", items)
		if err == nil {
			return res, nil
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return nil, err
		}
		retry, refusal := g.explain(ctx, db, r, tce.CancellationReasons, budgets, rates, now, &reconciled)
		if refusal != nil {
			return nil, refusal
		}
		if !retry {
			return nil, unavailable("reserve budget", err)
		}
	}
	return nil, unavailable("reserve budget", errors.New("budget counters kept changing"))
}

func (g *Gate) reserveItems(r Request, budgets []budgetCheck, rates []rateCheck, now time.Time) (*Reservation, []types.TransactWriteItem) {
	expires := now.Add(g.cfg.HoldFor)
	res := &Reservation{
		Org: r.Org, RequestID: r.RequestID, Cost: r.Cost, Tokens: r.Tokens, Expires: expires,
		resPK: resPK(r.Org, g.shard(r.RequestID)),
		resSK: fmt.Sprintf("%012d#%s", expires.Unix(), r.RequestID),
	}
	table := aws.String(g.cfg.Table)
	items := make([]types.TransactWriteItem, 0, 1+len(budgets)+len(rates))
	per := period(now)
	// Spend counters live about 13 months, for month-over-month reports.
	counterTTL := n(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 13, 0).Unix())
	// A lifetime counter lives 13 months past its last reservation.
	lifetimeTTL := n(now.AddDate(0, 13, 0).Unix())
	var budgetKeys, rateKeys []types.AttributeValue
	for _, b := range budgets {
		k, ttl := counterKey{budgetPK(r.Org, b.scope), per}, counterTTL
		if b.lifetime {
			k.sk, ttl = LifetimePeriod, lifetimeTTL
		}
		res.budgets = append(res.budgets, k)
		budgetKeys = append(budgetKeys, s(k.pk+"|"+k.sk))
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: table,
			Key:       map[string]types.AttributeValue{"pk": s(k.pk), "sk": s(k.sk)},
			UpdateExpression: aws.String("SET available = if_not_exists(available, :cap) - :c, " +
				"reserved = if_not_exists(reserved, :zero) + :c, spent = if_not_exists(spent, :zero), " +
				"cap = if_not_exists(cap, :cap), expires_at = :ttl"),
			ConditionExpression: aws.String("attribute_not_exists(available) OR (cap = :cap AND available >= :c)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":cap": n(int64(b.cap)), ":c": n(int64(r.Cost)), ":zero": n(0), ":ttl": ttl},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
	}
	minuteKey := minute(now)
	rateTTL := n(now.Truncate(time.Minute).Add(3 * time.Minute).Unix())
	for _, rc := range rates {
		k := counterKey{ratePK(r.Org, rc.scope), minuteKey}
		res.rates = append(res.rates, k)
		rateKeys = append(rateKeys, s(k.pk+"|"+k.sk))
		vals := map[string]types.AttributeValue{":zero": n(0), ":one": n(1), ":t": n(r.Tokens), ":ttl": rateTTL}
		var conds []string
		if rc.rpm > 0 {
			conds = append(conds, "(attribute_not_exists(reqs) OR reqs < :rpm)")
			vals[":rpm"] = n(rc.rpm)
		}
		if rc.tpm > 0 {
			conds = append(conds, "(attribute_not_exists(toks) OR toks <= :tlim)")
			vals[":tlim"] = n(rc.tpm - r.Tokens)
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                           table,
			Key:                                 map[string]types.AttributeValue{"pk": s(k.pk), "sk": s(k.sk)},
			UpdateExpression:                    aws.String("SET reqs = if_not_exists(reqs, :zero) + :one, toks = if_not_exists(toks, :zero) + :t, expires_at = :ttl"),
			ConditionExpression:                 aws.String(strings.Join(conds, " AND ")),
			ExpressionAttributeValues:           vals,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
	}
	resItem := map[string]types.AttributeValue{
		"pk": s(res.resPK), "sk": s(res.resSK),
		"cost": n(int64(r.Cost)), "tokens": n(r.Tokens), "request_id": s(r.RequestID),
		"created_at": s(now.Format(time.RFC3339Nano)),
		// The TTL only cleans up after Reconcile had a week to release it.
		"expires_at": n(expires.Add(7 * 24 * time.Hour).Unix()),
		"budgets":    &types.AttributeValueMemberL{Value: budgetKeys},
	}
	if len(rateKeys) > 0 {
		resItem["rates"] = &types.AttributeValueMemberL{Value: rateKeys}
	}
	items = append([]types.TransactWriteItem{{Put: &types.Put{
		TableName: table, Item: resItem, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}}, items...)
	return res, items
}

// explain turns a cancelled reservation into a refusal, or into a retry
// after healing what made it fail: a cap changed since the month's counter
// was opened, or expired reservations still holding budget.
func (g *Gate) explain(ctx context.Context, db DB, r Request, reasons []types.CancellationReason,
	budgets []budgetCheck, rates []rateCheck, now time.Time, reconciled *bool) (retry bool, refusal error) {
	if len(reasons) != 1+len(budgets)+len(rates) {
		return false, nil
	}
	for i, rc := range rates {
		reason := reasons[1+len(budgets)+i]
		if aws.ToString(reason.Code) != "ConditionalCheckFailed" {
			continue
		}
		what := "requests"
		if rc.rpm == 0 || intAttr(reason.Item, "reqs") < rc.rpm {
			what = "tokens"
		}
		wait := now.Truncate(time.Minute).Add(time.Minute).Sub(now)
		return false, apperr.New(apperr.RateLimited, "rate_limit_exceeded",
			fmt.Sprintf("%s %s-per-minute limit was reached; retry after the minute resets", capitalize(rc.label), what)).
			WithRetryAfter(ceilSecond(wait))
	}
	var exhausted *budgetCheck
	for i := range budgets {
		reason := reasons[1+i]
		if aws.ToString(reason.Code) != "ConditionalCheckFailed" {
			continue
		}
		b := budgets[i]
		if old := pricing.NanoUSD(intAttr(reason.Item, "cap")); old != b.cap {
			if err := g.adjustCap(ctx, db, counterKey{budgetPK(r.Org, b.scope), b.counterSK(now)}, old, b.cap); err != nil {
				return false, err
			}
			return true, nil
		}
		if exhausted == nil {
			exhausted = &b
		}
		if !*reconciled && intAttr(reason.Item, "reserved") > 0 {
			*reconciled = true
			released, err := g.Reconcile(ctx, db, r.Org)
			if err != nil {
				return false, err
			}
			if released > 0 {
				return true, nil
			}
		}
	}
	if exhausted != nil {
		return false, g.exhausted(*exhausted, now)
	}
	return false, nil
}

// adjustCap moves a month's counter to a new cap, keeping what was spent
// and reserved: available changes by the difference.
func (g *Gate) adjustCap(ctx context.Context, db DB, k counterKey, old, cap pricing.NanoUSD) error {
	tctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	_, err := db.UpdateItem(tctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(g.cfg.Table),
		Key:                       map[string]types.AttributeValue{"pk": s(k.pk), "sk": s(k.sk)},
		UpdateExpression:          aws.String("SET cap = :new, available = available + :diff"),
		ConditionExpression:       aws.String("cap = :old"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":new": n(int64(cap)), ":old": n(int64(old)), ":diff": n(int64(cap - old))},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) { // a concurrent adjuster won: fine
		return unavailable("adjust budget cap", err)
	}
	return nil
}

func (g *Gate) exhausted(b budgetCheck, now time.Time) error {
	if b.lifetime {
		return apperr.New(apperr.BudgetExhausted, "budget_exhausted",
			fmt.Sprintf("%s budget does not cover this request's worst-case cost", capitalize(b.label)))
	}
	next := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	return apperr.New(apperr.BudgetExhausted, "budget_exhausted",
		fmt.Sprintf("%s monthly budget does not cover this request's worst-case cost", capitalize(b.label))).
		WithRetryAfter(ceilSecond(next.Sub(now)))
}

func intAttr(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		x, _ := strconv.ParseInt(v.Value, 10, 64)
		return x
	}
	return 0
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func ceilSecond(d time.Duration) time.Duration {
	if d <= 0 {
		return time.Second
	}
	return (d + time.Second - 1).Truncate(time.Second)
}
