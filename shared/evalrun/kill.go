package evalrun

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
	r, err := s.Get(ctx, db, org, run)
	if err != nil {
		return "", err
	}
	switch {
	case r.State != Running:
		return HaltNotRunning, nil
	case r.SpentNano >= r.CapNano:
		return HaltAtCap, nil
	}
	killed, err := s.OrgKill(ctx, db, org)
	if err != nil {
		return "", err
	}
	if killed {
		return HaltOrgKilled, nil
	}
	return "", nil
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
