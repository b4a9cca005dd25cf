package recommend

import (
	"context"
	"errors"
	"fmt"
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
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store keeps recommendations. It holds no mutable state.
type Store struct {
	table string
	clock func() time.Time
}

// NewStore returns a Store; clock defaults to time.Now.
func NewStore(table string, clock func() time.Time) *Store {
	if clock == nil {
		clock = time.Now
	}
	return &Store{table: table, clock: clock}
}

// Errors with stable codes.
var (
	ErrNotFound = apperr.New(apperr.NotFound, "recommendation_not_found", "no such recommendation")
	// ErrChanged is a recommendation changed by someone else between read
	// and write, or no longer in the state a change needs.
	ErrChanged = apperr.New(apperr.Conflict, "recommendation_state_changed",
		"the recommendation is not in a state that allows this; reload it")
)

const (
	skRec    = "REC#"
	skRun    = "RUN#"
	skHist   = "HIST#"
	livePK   = "#RECLIVE"
	indexFmt = "2006-01-02T15:04:05.000000000Z"
)

func pk(org, ws string) string { return "ORG#" + org + "#REC#" + ws }

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func key(pkv, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(pkv), "sk": str(sk)}
}

func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "recommendation_store_unavailable",
		"the recommendation store could not be reached; retry shortly").WithRetryAfter(time.Second)
}

func corrupt(err error) error {
	return apperr.Wrap(err, apperr.Internal, "corrupt_recommendation", "internal error")
}

var txOpts = ddbtx.Options{Timeout: 5 * time.Second, ConflictRetries: 5}

// item encodes r with its keys, and the live index while its change is in
// effect.
func (s *Store) item(r Recommendation) (map[string]types.AttributeValue, error) {
	it, err := attributevalue.MarshalMap(r)
	if err != nil {
		return nil, fmt.Errorf("encode recommendation: %w", err)
	}
	it["pk"], it["sk"] = str(pk(r.Org, r.Workspace)), str(skRec+r.ID)
	if r.State.Live() && r.Apply != nil {
		it["gsi1pk"] = str("ORG#" + r.Org + livePK)
		it["gsi1sk"] = str(r.Apply.At.UTC().Format(indexFmt) + "#" + r.ID)
	}
	return it, nil
}

func (s *Store) historyItem(r Recommendation, t Transition) (types.TransactWriteItem, error) {
	it, err := attributevalue.MarshalMap(t)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode transition: %w", err)
	}
	it["pk"] = str(pk(r.Org, r.Workspace))
	it["sk"] = str(skHist + r.ID + "#" + t.Time.UTC().Format(indexFmt) + "#" + id.New(""))
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: it}}, nil
}

// Create stores r as run's recommendation, open, unless the run already
// has one: then that one is returned with created false. Of two workers
// deciding on the same run at once exactly one creates it.
func (s *Store) Create(ctx context.Context, db DB, r Recommendation) (out Recommendation, created bool, err error) {
	now := s.clock().UTC()
	r.ID, r.State, r.Created, r.Updated = id.New(IDPrefix), Open, now, now
	it, err := s.item(r)
	if err != nil {
		return Recommendation{}, false, err
	}
	guard := key(pk(r.Org, r.Workspace), skRun+r.Run)
	guard["rec_id"] = str(r.ID)
	hist, err := s.historyItem(r, Transition{From: "", To: Open, Reason: "the evaluation cleared the non-inferiority margin", By: "system", Time: now})
	if err != nil {
		return Recommendation{}, false, err
	}
	err = ddbtx.Write(ctx, db, []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.table), Item: guard, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: it, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		hist,
	}, txOpts)
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return r, true, nil
	case errors.As(err, &tce) && ddbtx.Failed(tce, 0):
		existing, ok, err := s.ForRun(ctx, db, r.Org, r.Workspace, r.Run)
		if err != nil {
			return Recommendation{}, false, err
		}
		if !ok {
			return Recommendation{}, false, unavailable("create recommendation", errors.New("guard without recommendation"))
		}
		return existing, false, nil
	}
	return Recommendation{}, false, unavailable("create recommendation", err)
}

// ForRun returns run's recommendation, if it has one.
func (s *Store) ForRun(ctx context.Context, db DB, org, ws, run string) (Recommendation, bool, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(pk(org, ws), skRun+run),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Recommendation{}, false, unavailable("read recommendation guard", err)
	}
	if out.Item == nil {
		return Recommendation{}, false, nil
	}
	rid, _ := out.Item["rec_id"].(*types.AttributeValueMemberS)
	if rid == nil {
		return Recommendation{}, false, corrupt(errors.New("guard without rec_id"))
	}
	r, err := s.Get(ctx, db, org, ws, rid.Value)
	if err != nil {
		return Recommendation{}, false, err
	}
	return r, true, nil
}

// Get reads one recommendation.
func (s *Store) Get(ctx context.Context, db DB, org, ws, rec string) (Recommendation, error) {
	if !id.Valid(IDPrefix, rec) {
		return Recommendation{}, ErrNotFound
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: key(pk(org, ws), skRec+rec),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Recommendation{}, unavailable("read recommendation", err)
	}
	if out.Item == nil {
		return Recommendation{}, ErrNotFound
	}
	var r Recommendation
	if err := attributevalue.UnmarshalMap(out.Item, &r); err != nil {
		return Recommendation{}, corrupt(err)
	}
	return r, nil
}

// List returns a workspace's recommendations, oldest first.
func (s *Store) List(ctx context.Context, db DB, org, ws string) ([]Recommendation, error) {
	return queryAll[Recommendation](ctx, db, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk(org, ws)), ":p": str(skRec)},
	}, "list recommendations")
}

// History lists a recommendation's transitions, oldest first.
func (s *Store) History(ctx context.Context, db DB, org, ws, rec string) ([]Transition, error) {
	return queryAll[Transition](ctx, db, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk(org, ws)), ":p": str(skHist + rec + "#")},
		ConsistentRead:            aws.Bool(true),
	}, "read recommendation history")
}

// Live returns every recommendation of org whose change is in effect
// (applied, verified or regressed), oldest applied first. It reads the
// index, so a change made a moment ago may be missing: the verification
// loop sees it on its next pass.
func (s *Store) Live(ctx context.Context, db DB, org string) ([]Recommendation, error) {
	return queryAll[Recommendation](ctx, db, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String("gsi1"),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str("ORG#" + org + livePK)},
	}, "list applied recommendations")
}

// Update rewrites r as change would have it, on condition that nobody
// changed it since it was read (its updated_at) — the optimistic lock
// every write after creation takes. When the state changes, the
// transition is recorded in the same transaction, and only a transition
// Allowed may happen; otherwise ErrChanged.
func (s *Store) Update(ctx context.Context, db DB, r Recommendation, by, reason string, change func(*Recommendation)) (Recommendation, error) {
	was := r
	change(&r)
	if r.State != was.State && !Allowed(was.State, r.State) {
		return Recommendation{}, ErrChanged
	}
	now := s.clock().UTC()
	if !now.After(was.Updated) {
		now = was.Updated.Add(time.Microsecond) // updated_at is the lock: it must move
	}
	r.Updated = now
	it, err := s.item(r)
	if err != nil {
		return Recommendation{}, err
	}
	prev, err := attributevalue.Marshal(was.Updated)
	if err != nil {
		return Recommendation{}, fmt.Errorf("encode updated_at: %w", err)
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(s.table), Item: it,
		ConditionExpression:       aws.String("updated_at = :prev"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":prev": prev}}}}
	if r.State != was.State {
		hist, err := s.historyItem(r, Transition{From: was.State, To: r.State, Reason: reason, By: by, Time: now})
		if err != nil {
			return Recommendation{}, err
		}
		items = append(items, hist)
	}
	err = ddbtx.Write(ctx, db, items, txOpts)
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return r, nil
	case errors.As(err, &tce) && ddbtx.Failed(tce, 0):
		return Recommendation{}, ErrChanged
	}
	return Recommendation{}, unavailable("update recommendation", err)
}

// queryAll pages through in and decodes every item as a T.
func queryAll[T any](ctx context.Context, db DB, in *dynamodb.QueryInput, op string) ([]T, error) {
	out := []T{}
	p := dynamodb.NewQueryPaginator(db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable(op, err)
		}
		for _, it := range page.Items {
			var v T
			if err := attributevalue.UnmarshalMap(it, &v); err != nil {
				return nil, corrupt(err)
			}
			out = append(out, v)
		}
	}
	return out, nil
}
