package evalrun

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/ddbtx"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// DB is what the store needs from the org's scoped client.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store keeps runs. It holds no mutable state.
type Store struct {
	table string
	clock func() time.Time
}

// New returns a Store; clock defaults to time.Now.
func New(table string, clock func() time.Time) *Store {
	if clock == nil {
		clock = time.Now
	}
	return &Store{table: table, clock: clock}
}

// IDPrefix starts every run ID.
const IDPrefix = "run_"

// Errors with stable codes.
var (
	ErrNotFound = apperr.New(apperr.NotFound, "run_not_found", "no such evaluation run")
	errBadRun   = apperr.New(apperr.Invalid, "invalid_run", "a run needs a workspace, baseline, candidate, source, scorer, items > 0 and a cap > 0")
)

func runPK(org, run string) string { return "ORG#" + org + "#EVAL#" + run }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "eval_store_unavailable",
		"the evaluation store could not be reached; retry shortly").WithRetryAfter(time.Second)
}

// Create stores a new pending run and its first transition.
func (s *Store) Create(ctx context.Context, db DB, r Run) (Run, error) {
	if r.Workspace == "" || r.Baseline == "" || r.Candidate == "" || r.Source == "" || r.Scorer == "" || r.Items <= 0 || r.CapNano <= 0 {
		return Run{}, errBadRun
	}
	now := s.clock().UTC()
	r.ID, r.State, r.Created, r.Updated = id.New(IDPrefix), Pending, now, now
	r.Scored, r.Errored, r.SpentNano = 0, 0, 0
	item, err := attributevalue.MarshalMap(r)
	if err != nil {
		return Run{}, fmt.Errorf("encode run: %w", err)
	}
	item["pk"], item["sk"] = str(runPK(r.Org, r.ID)), str("RUN")
	tr, err := s.transitionItem(r.Org, r.ID, Transition{From: "", To: Pending, Reason: "created", Time: now})
	if err != nil {
		return Run{}, err
	}
	listed := key(listPK(r.Org, r.Workspace), r.Created.Format("2006-01-02T15:04:05.000000000Z")+"#"+r.ID)
	listed["run_id"] = str(r.ID)
	err = ddbtx.Write(ctx, db, []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		tr,
		{Put: &types.Put{TableName: aws.String(s.table), Item: listed}},
	}, ddbtx.Options{Timeout: 5 * time.Second, ConflictRetries: 5})
	if err != nil {
		return Run{}, unavailable("create run", err)
	}
	return r, nil
}

// listPK is the partition listing a workspace's runs, newest last.
func listPK(org, ws string) string { return "ORG#" + org + "#EVALS#" + ws }

// MaxList bounds one List.
const MaxList = 100

// List returns the workspace's most recent runs, newest first, at most
// limit (≤ MaxList).
func (s *Store) List(ctx context.Context, db DB, org, ws string, limit int) ([]Run, error) {
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	out, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(listPK(org, ws))},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, unavailable("list runs", err)
	}
	runs := make([]Run, 0, len(out.Items))
	for _, it := range out.Items {
		v, _ := it["run_id"].(*types.AttributeValueMemberS)
		if v == nil {
			continue
		}
		r, err := s.Get(ctx, db, org, v.Value)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// Get reads a run (strongly consistent: workers act on it).
func (s *Store) Get(ctx context.Context, db DB, org, run string) (Run, error) {
	if !id.Valid(IDPrefix, run) {
		return Run{}, ErrNotFound
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(runPK(org, run), "RUN"),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Run{}, unavailable("read run", err)
	}
	if out.Item == nil {
		return Run{}, ErrNotFound
	}
	var r Run
	if err := attributevalue.UnmarshalMap(out.Item, &r); err != nil {
		return Run{}, apperr.Wrap(err, apperr.Internal, "corrupt_run", "internal error")
	}
	return r, nil
}

// transitionItem is the append-only record of one transition.
func (s *Store) transitionItem(org, run string, t Transition) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(t)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode transition: %w", err)
	}
	item["pk"] = str(runPK(org, run))
	item["sk"] = str(fmt.Sprintf("STATE#%s#%s", t.Time.Format("2006-01-02T15:04:05.000000000Z"), t.To))
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")}}, nil
}

// Move changes a run's state from `from` to `to`, recording why, in one
// transaction conditional on the run still being in `from`. A transition
// the machine does not allow is Invalid; a run no longer in `from` is
// Conflict run_state_changed (someone else moved it first).
func (s *Store) Move(ctx context.Context, db DB, org, run string, from, to State, reason string) error {
	if !Allowed(from, to) {
		return apperr.New(apperr.Invalid, "invalid_transition", fmt.Sprintf("a run cannot go from %s to %s", from, to))
	}
	now := s.clock().UTC()
	tr, err := s.transitionItem(org, run, Transition{From: from, To: to, Reason: reason, Time: now})
	if err != nil {
		return err
	}
	err = ddbtx.Write(ctx, db, []types.TransactWriteItem{
		{Update: &types.Update{
			TableName:                 aws.String(s.table),
			Key:                       key(runPK(org, run), "RUN"),
			UpdateExpression:          aws.String("SET #s = :to, updated_at = :now"),
			ConditionExpression:       aws.String("#s = :from"),
			ExpressionAttributeNames:  map[string]string{"#s": "state"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":to": str(string(to)), ":from": str(string(from)), ":now": str(now.Format(time.RFC3339Nano))},
		}},
		tr,
	}, ddbtx.Options{Timeout: 5 * time.Second, ConflictRetries: 5})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && ddbtx.Failed(tce, 0) {
		return apperr.New(apperr.Conflict, "run_state_changed", "the run changed state meanwhile; reload it")
	}
	if err != nil {
		return unavailable("move run", err)
	}
	return nil
}

// History lists a run's transitions, oldest first.
func (s *Store) History(ctx context.Context, db DB, org, run string) ([]Transition, error) {
	return queryAll[Transition](ctx, db, s.prefixQuery(org, run, "STATE#"), "read run history")
}

// prefixQuery selects a run's items whose sort key starts with prefix.
func (s *Store) prefixQuery(org, run, prefix string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(runPK(org, run)), ":p": str(prefix)},
		ConsistentRead:            aws.Bool(true),
	}
}

// queryAll pages through in and decodes every item as a T.
func queryAll[T any](ctx context.Context, db DB, in *dynamodb.QueryInput, op string) ([]T, error) {
	var out []T
	p := dynamodb.NewQueryPaginator(db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable(op, err)
		}
		for _, it := range page.Items {
			var v T
			if err := attributevalue.UnmarshalMap(it, &v); err != nil {
				return nil, apperr.Wrap(err, apperr.Internal, "corrupt_run", "internal error")
			}
			out = append(out, v)
		}
	}
	return out, nil
}
