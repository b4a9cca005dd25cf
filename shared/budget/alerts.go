package budget

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/throttle"
)

// Alert is a spend threshold crossed: Spent reached Threshold percent of
// Cap in Month.
type Alert struct {
	Scope     string
	Month     string
	Threshold int
	Spent     pricing.NanoUSD
	Cap       pricing.NanoUSD
}

// AlertDB is what alert checks need from the org's scoped client.
type AlertDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Alerter finds spend crossing a cap's alert thresholds. Reading a counter
// on every call would add a read per request, so each instance reads a
// scope at most once per Every; each threshold is claimed once per month
// with a conditional write on the counter itself, so however many
// instances see it, exactly one raises the alert. It is safe for
// concurrent use.
type Alerter struct {
	gate *Gate
	due  *throttle.Every // org/scope → last read by this instance
}

// NewAlerter returns an Alerter on g's table and clock; every defaults to
// one minute.
func (g *Gate) NewAlerter(every time.Duration) *Alerter {
	if every == 0 {
		every = time.Minute
	}
	return &Alerter{gate: g, due: throttle.New(every)}
}

// Check returns the thresholds (percentages of the month's cap) that
// scope's settled spend has reached and that this call claimed. Scopes
// without thresholds or without a cap cost nothing.
func (a *Alerter) Check(ctx context.Context, db AlertDB, org, scope string, thresholds []int) ([]Alert, error) {
	if len(thresholds) == 0 {
		return nil, nil
	}
	now := a.gate.cfg.Clock().UTC()
	if !a.due.Due(org+"/"+scope, now) {
		return nil, nil
	}

	sp, err := a.gate.Read(ctx, db, org, scope, now)
	if err != nil {
		return nil, err
	}
	if sp.Cap <= 0 || sp.Cap >= Unlimited {
		return nil, nil
	}
	var out []Alert
	for _, t := range slices.Sorted(slices.Values(thresholds)) {
		if int64(sp.Spent)*100 < int64(sp.Cap)*int64(t) {
			break
		}
		claimed, err := a.claim(ctx, db, org, scope, now, t)
		if err != nil {
			return out, err
		}
		if claimed {
			out = append(out, Alert{Scope: scope, Month: period(now), Threshold: t, Spent: sp.Spent, Cap: sp.Cap})
		}
	}
	return out, nil
}

// claim adds t to the counter's alerted set unless it is there already.
func (a *Alerter) claim(ctx context.Context, db AlertDB, org, scope string, now time.Time, t int) (bool, error) {
	n := strconv.Itoa(t)
	_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(a.gate.cfg.Table),
		Key:                       map[string]types.AttributeValue{"pk": s(budgetPK(org, scope)), "sk": s(period(now))},
		UpdateExpression:          aws.String("ADD alerted :set"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND (attribute_not_exists(alerted) OR NOT contains(alerted, :n))"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":set": &types.AttributeValueMemberNS{Value: []string{n}}, ":n": &types.AttributeValueMemberN{Value: n}},
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ccf):
		return false, nil
	}
	return false, unavailable("claim budget alert", err)
}
