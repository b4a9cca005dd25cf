package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// DB is what the store needs from an org's scoped DynamoDB client
// (tenant.Scoped.DynamoDB). It has no update or delete: the log is
// append-only by construction, not by convention.
type DB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Config configures a Store.
type Config struct {
	Table string           // the single table
	Clock func() time.Time // stamps entries appended without a time; time.Now when nil
}

// Store appends and lists audit entries. It holds no mutable state and is
// safe for concurrent use.
type Store struct {
	table      string
	clock      func() time.Time
	exportPage int // entries per List call in Export
}

// New returns a Store on cfg.Table.
func New(cfg Config) *Store {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Store{table: cfg.Table, clock: cfg.Clock, exportPage: MaxLimit}
}

// skTime is the sort key's time: RFC 3339 in UTC with all nine fraction
// digits, so sort keys order as times do.
const skTime = "2006-01-02T15:04:05.000000000Z"

// monthKey is the partition's month.
const monthKey = "200601"

// PK returns the partition of org's entries in the month of t.
func PK(org string, t time.Time) string { return "ORG#" + org + "#AUDIT#" + t.UTC().Format(monthKey) }

// SK returns the sort key of the entry with ID id at t.
func SK(t time.Time, id string) string { return t.UTC().Format(skTime) + "#" + id }

// Append validates e, fills its ID and Time when empty, makes Before and
// After safe, and writes it once. An entry with the same ID and time that
// is already stored is never overwritten: the write fails with Conflict
// "audit_entry_exists" and changes nothing. It returns the entry as stored.
func (st *Store) Append(ctx context.Context, db DB, e Entry) (Entry, error) {
	e, err := normalize(e, st.clock)
	if err != nil {
		return Entry{}, err
	}
	item, err := toItem(e)
	if err != nil {
		return Entry{}, apperr.Wrap(fmt.Errorf("encode audit entry: %w", err), apperr.Internal, "audit_encoding", "internal error")
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(st.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return e, nil
	case errors.As(err, &ccf):
		return Entry{}, apperr.Wrap(fmt.Errorf("append audit entry %s: %w", e.ID, err), apperr.Conflict,
			"audit_entry_exists", "an audit entry with this id and time already exists")
	}
	return Entry{}, storeError(fmt.Errorf("append audit entry: %w", err), "the audit entry could not be stored; retry shortly")
}

// storeError classifies a DynamoDB failure. A denial by TenantRole means the
// caller passed another org's client: a bug, not something a retry fixes,
// so it is Internal. Anything else is Unavailable and may be retried.
func storeError(err error, msg string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException" {
		return apperr.Wrap(err, apperr.Internal, "audit_access_denied", "internal error")
	}
	return apperr.Wrap(err, apperr.Unavailable, "audit_store_unavailable", msg).WithRetryAfter(time.Second)
}

// record is an entry as stored. Before and After are JSON text: their
// shape is the caller's, and the size cap is on that text.
type record struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	ID         string `dynamodbav:"id"`
	Org        string `dynamodbav:"org"`
	Time       string `dynamodbav:"time"`
	Actor      string `dynamodbav:"actor"`
	ActorKind  string `dynamodbav:"actor_kind"`
	Action     string `dynamodbav:"action"`
	TargetType string `dynamodbav:"target_type,omitempty"`
	TargetID   string `dynamodbav:"target_id,omitempty"`
	Workspace  string `dynamodbav:"workspace,omitempty"`
	SourceIP   string `dynamodbav:"source_ip,omitempty"`
	UserAgent  string `dynamodbav:"user_agent,omitempty"`
	Before     string `dynamodbav:"before,omitempty"`
	After      string `dynamodbav:"after,omitempty"`
	Result     string `dynamodbav:"result,omitempty"`
}

func toItem(e Entry) (map[string]types.AttributeValue, error) {
	r := record{
		PK: PK(e.Org, e.Time), SK: SK(e.Time, e.ID), ID: e.ID, Org: e.Org, Time: e.Time.Format(time.RFC3339Nano),
		Actor: e.Actor, ActorKind: e.ActorKind, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
		Workspace: e.Workspace, SourceIP: e.SourceIP, UserAgent: e.UserAgent, Result: e.Result,
	}
	for _, side := range []struct {
		d   map[string]any
		dst *string
	}{{e.Before, &r.Before}, {e.After, &r.After}} {
		if len(side.d) == 0 {
			continue
		}
		b, err := encodeJSON(side.d)
		if err != nil {
			return nil, err
		}
		*side.dst = string(b)
	}
	return attributevalue.MarshalMap(r)
}

func fromItem(it map[string]types.AttributeValue) (Entry, error) {
	var r record
	if err := attributevalue.UnmarshalMap(it, &r); err != nil {
		return Entry{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, r.Time)
	if err != nil {
		return Entry{}, fmt.Errorf("entry %s time: %w", r.ID, err)
	}
	e := Entry{
		ID: r.ID, Org: r.Org, Time: t.UTC(), Actor: r.Actor, ActorKind: r.ActorKind, Action: r.Action,
		TargetType: r.TargetType, TargetID: r.TargetID, Workspace: r.Workspace, SourceIP: r.SourceIP,
		UserAgent: r.UserAgent, Result: r.Result,
	}
	if r.Before != "" {
		if e.Before, err = decodeDiff([]byte(r.Before)); err != nil {
			return Entry{}, fmt.Errorf("entry %s before: %w", r.ID, err)
		}
	}
	if r.After != "" {
		if e.After, err = decodeDiff([]byte(r.After)); err != nil {
			return Entry{}, fmt.Errorf("entry %s after: %w", r.ID, err)
		}
	}
	return e, nil
}
