package evalrun

import (
	"context"
	"errors"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/id"
)

// SetOrgKill turns the org-wide kill switch on or off: while on, no
// evaluation of the org makes another provider call.
func (s *Store) SetOrgKill(ctx context.Context, db DB, org string, on bool) error {
	item := key("ORG#"+org, "EVALKILL")
	item["on"] = &types.AttributeValueMemberBOOL{Value: on}
	item["updated_at"] = str(s.clock().UTC().Format("2006-01-02T15:04:05Z"))
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return unavailable("set kill switch", err)
	}
	return nil
}

// Halt says why a run may make no more provider calls; empty means it may.
type Halt string

// The reasons a run halts.
const (
	HaltNotRunning Halt = "run_not_running" // cancelled, aborted, completed or failed
	HaltAtCap      Halt = "run_at_cap"      // recorded spend reached the run's cap
	HaltOrgKilled  Halt = "org_kill_switch" // the org's kill switch is on
)

// Check is what a worker asks before every provider call: the run must
// still be running and under its cap, and the org's kill switch off. It
// reads both strongly consistently, so a switch flipped now stops the next
// call.
func (s *Store) Check(ctx context.Context, db DB, org, run string) (Halt, error) {
	if !id.Valid(IDPrefix, run) {
		return "", ErrNotFound
	}
	// One round trip for both: this runs before every provider call.
	runKey, killKey := key(runPK(org, run), "RUN"), key("ORG#"+org, "EVALKILL")
	in := &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{s.table: {
		Keys: []map[string]types.AttributeValue{runKey, killKey}, ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("sk, #s, spent_nano, cap_nano, #on"), ExpressionAttributeNames: map[string]string{"#s": "state", "#on": "on"},
	}}}
	var state string
	var spent, capNano int64
	killed, found := false, false
	for try := 0; len(in.RequestItems) > 0; try++ {
		if try == 3 {
			return "", unavailable("check run", errors.New("the store kept deferring the read"))
		}
		out, err := db.BatchGetItem(ctx, in)
		if err != nil {
			return "", unavailable("check run", err)
		}
		for _, it := range out.Responses[s.table] {
			switch sk, _ := it["sk"].(*types.AttributeValueMemberS); {
			case sk != nil && sk.Value == "RUN":
				found = true
				if v, ok := it["state"].(*types.AttributeValueMemberS); ok {
					state = v.Value
				}
				spent, capNano = intOf(it["spent_nano"]), intOf(it["cap_nano"])
			case sk != nil && sk.Value == "EVALKILL":
				on, _ := it["on"].(*types.AttributeValueMemberBOOL)
				killed = on != nil && on.Value
			}
		}
		in.RequestItems = out.UnprocessedKeys
	}
	switch {
	case !found:
		return "", ErrNotFound
	case State(state) != Running:
		return HaltNotRunning, nil
	case spent >= capNano:
		return HaltAtCap, nil
	case killed:
		return HaltOrgKilled, nil
	}
	return "", nil
}

func intOf(v types.AttributeValue) int64 {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0
	}
	x, _ := strconv.ParseInt(n.Value, 10, 64)
	return x
}

// MayCall reports whether Check finds nothing halting the run.
func (s *Store) MayCall(ctx context.Context, db DB, org, run string) (bool, error) {
	h, err := s.Check(ctx, db, org, run)
	return h == "" && err == nil, err
}

// OrgKill reports whether the org's kill switch is on.
func (s *Store) OrgKill(ctx context.Context, db DB, org string) (bool, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key("ORG#"+org, "EVALKILL"),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, unavailable("read kill switch", err)
	}
	on, _ := out.Item["on"].(*types.AttributeValueMemberBOOL)
	return on != nil && on.Value, nil
}
