package feedback

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Sources of a score.
const (
	SourceGateway = "gateway"
	SourceIngest  = "ingest"
)

const (
	// DefaultRetention keeps a score whose writer does not know its
	// workspace's trace retention: as long as daily aggregates (400 days).
	DefaultRetention = 400 * 24 * time.Hour
	// MaxGetBatch is DynamoDB's limit of keys per BatchGetItem; Get splits
	// larger requests.
	MaxGetBatch = 100
	// maxAttempts bounds the resends of one batch's unprocessed keys.
	maxAttempts = 10
	// timeout bounds each store call, so a hung store fails the request
	// rather than holding it.
	timeout = 5 * time.Second
	// putConcurrency bounds the writes of one PutAll.
	putConcurrency = 8
)

// Score is one feedback score for one trace.
type Score struct {
	// TraceID is the trace's ID (trace.ValidID): for a gateway call, the
	// request ID the gateway returned in X-Request-Id; for an ingested
	// event, the event's id.
	TraceID string
	// Workspace is the workspace of the token that sent it.
	Workspace string
	// Value is the score, in [0, 1].
	Value float64
	// Source is SourceGateway or SourceIngest.
	Source string
	// Time is when it was received, UTC. Put fills in the store's clock
	// when it is zero.
	Time time.Time
}

// DB is what the store needs from an org's scoped DynamoDB client. Pass
// the org's TenantRole session, never a function's own role.
type DB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// Store writes and reads feedback scores. It holds no mutable state and is
// safe for concurrent use.
type Store struct {
	table string
	clock func() time.Time
	wait  func(ctx context.Context, d time.Duration) error
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock that stamps scores and decides what has
// expired. Default time.Now.
func WithClock(clock func() time.Time) Option {
	return func(s *Store) {
		if clock != nil {
			s.clock = clock
		}
	}
}

// NewStore returns a Store on table.
func NewStore(table string, opts ...Option) *Store {
	s := &Store{table: table, clock: time.Now, wait: sleep}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Validate checks a score sent by a client: a valid trace ID and a finite
// value in [0, 1]. Errors are Invalid with the stable codes
// invalid_trace_id and invalid_feedback_score (params trace_id and score).
func Validate(traceID string, value float64) error {
	switch {
	case traceID == "":
		return apperr.New(apperr.Invalid, "invalid_trace_id", "trace_id is required").WithParam("trace_id")
	case !trace.ValidID(traceID):
		return apperr.New(apperr.Invalid, "invalid_trace_id",
			"trace_id must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'").WithParam("trace_id")
	case math.IsNaN(value) || math.IsInf(value, 0) || value < 0 || value > 1:
		return apperr.New(apperr.Invalid, "invalid_feedback_score", "score must be a number between 0 and 1").WithParam("score")
	}
	return nil
}

func pk(org, traceID string) string { return "ORG#" + org + "#FB#" + traceID }

// sk is the one sort key of a feedback partition.
const sk = "FB"

// indexTime is fixed-width, so gsi1 sort keys order by time as strings.
const indexTime = "2006-01-02T15:04:05.000000000Z"

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

// unavailable is a store failure: the client may retry after a second.
func unavailable(op string, err error) error {
	msg := "feedback could not be read; retry shortly"
	if op == opPut {
		msg = "the feedback could not be stored; nothing was recorded, retry shortly"
	}
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "feedback_store_unavailable", msg).
		WithRetryAfter(time.Second)
}

const (
	opPut = "put feedback"
	opGet = "get feedback"
)

// Put records sc, kept DefaultRetention after sc.Time. Sending feedback
// again for the same trace replaces it (last write wins), so a retried
// request is harmless.
func (st *Store) Put(ctx context.Context, db DB, org string, sc Score) error {
	return st.PutFor(ctx, db, org, sc, DefaultRetention)
}

// PutFor is Put with the score kept retention after sc.Time: pass the
// workspace's trace retention so feedback expires with the traces it
// rates. A retention of zero or less means DefaultRetention.
//
// It refuses an invalid score (Invalid), feedback for a trace ID that
// another workspace of the org already rated (Conflict,
// feedback_conflict), and answers Unavailable
// (feedback_store_unavailable) when the store fails; one PutItem, so
// nothing is ever half-written.
func (st *Store) PutFor(ctx context.Context, db DB, org string, sc Score, retention time.Duration) error {
	if err := Validate(sc.TraceID, sc.Value); err != nil {
		return err
	}
	if org == "" || sc.Workspace == "" || (sc.Source != SourceGateway && sc.Source != SourceIngest) {
		return apperr.New(apperr.Internal, "invalid_feedback", "internal error")
	}
	if retention <= 0 {
		retention = DefaultRetention
	}
	if sc.Time.IsZero() {
		sc.Time = st.clock()
	}
	sc.Time = sc.Time.UTC()
	value := sc.Value
	if value == 0 {
		value = 0 // never "-0"
	}
	item := map[string]types.AttributeValue{
		"pk": s(pk(org, sc.TraceID)), "sk": s(sk),
		"gsi1pk": s("ORG#" + org + "#FB"), "gsi1sk": s(sc.Time.Format(indexTime) + "#" + sc.TraceID),
		"trace_id": s(sc.TraceID), "workspace": s(sc.Workspace),
		"score":  n(strconv.FormatFloat(value, 'g', -1, 64)),
		"source": s(sc.Source), "time": s(sc.Time.Format(time.RFC3339Nano)),
		"expires_at": n(strconv.FormatInt(sc.Time.Add(retention).Unix(), 10)),
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.table), Item: item,
		// Last write wins within the workspace that owns the trace ID.
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR workspace = :ws"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":ws": s(sc.Workspace)},
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ccf):
		return apperr.Wrap(err, apperr.Conflict, "feedback_conflict",
			"feedback for this trace_id was sent from another workspace of the organization")
	}
	return unavailable(opPut, err)
}

// PutAll records every score with PutFor, a few at a time, and returns one
// error per score (nil for each recorded). Validate every score before
// calling it when a batch must be all-or-nothing: PutAll writes the valid
// ones regardless.
func (st *Store) PutAll(ctx context.Context, db DB, org string, scores []Score, retention time.Duration) []error {
	errs := make([]error, len(scores))
	var wg sync.WaitGroup
	sem := make(chan struct{}, putConcurrency)
	for i := range scores {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = st.PutFor(ctx, db, org, scores[i], retention)
		})
	}
	wg.Wait()
	return errs
}

// Get returns the scores recorded for traceIDs, keyed by trace ID; IDs
// without a score (or whose score has expired) are missing from the map.
// It reads with BatchGetItem, MaxGetBatch keys at a time, with strongly
// consistent reads, resending unprocessed keys with backoff. An invalid ID
// is an Invalid error (invalid_trace_id); a failing store is Unavailable.
func (st *Store) Get(ctx context.Context, db DB, org string, traceIDs []string) (map[string]Score, error) {
	if org == "" {
		return nil, apperr.New(apperr.Internal, "invalid_feedback", "internal error")
	}
	seen := make(map[string]bool, len(traceIDs))
	ids := make([]string, 0, len(traceIDs))
	for i, id := range traceIDs {
		if !trace.ValidID(id) {
			return nil, apperr.New(apperr.Invalid, "invalid_trace_id",
				fmt.Sprintf("trace ID %d is not a valid trace ID", i)).WithParam("trace_ids")
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	out := make(map[string]Score, len(ids))
	now := st.clock()
	for len(ids) > 0 {
		batch := ids[:min(MaxGetBatch, len(ids))]
		ids = ids[len(batch):]
		if err := st.getBatch(ctx, db, org, batch, now, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (st *Store) getBatch(ctx context.Context, db DB, org string, ids []string, now time.Time, out map[string]Score) error {
	keys := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		keys[i] = map[string]types.AttributeValue{"pk": s(pk(org, id)), "sk": s(sk)}
	}
	pending := map[string]types.KeysAndAttributes{st.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	for attempt := 0; len(pending[st.table].Keys) > 0; attempt++ {
		if attempt >= maxAttempts {
			return unavailable(opGet, errors.New("DynamoDB kept keys unprocessed"))
		}
		if attempt > 0 {
			if err := st.wait(ctx, backoff(attempt)); err != nil {
				return unavailable(opGet, err)
			}
		}
		res, err := st.batchGet(ctx, db, pending)
		if err != nil {
			return unavailable(opGet, err)
		}
		for _, it := range res.Responses[st.table] {
			sc, expires, err := fromItem(it)
			if err != nil {
				return apperr.Wrap(err, apperr.Internal, "internal_error", "internal error")
			}
			if expires > 0 && !time.Unix(expires, 0).After(now) {
				continue // past retention; DynamoDB's TTL has not removed it yet
			}
			out[sc.TraceID] = sc
		}
		pending = res.UnprocessedKeys
	}
	return nil
}

func (st *Store) batchGet(ctx context.Context, db DB, pending map[string]types.KeysAndAttributes) (*dynamodb.BatchGetItemOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
}

func fromItem(it map[string]types.AttributeValue) (Score, int64, error) {
	str := func(name string) string {
		if v, ok := it[name].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	num := func(name string) string {
		if v, ok := it[name].(*types.AttributeValueMemberN); ok {
			return v.Value
		}
		return ""
	}
	value, err := strconv.ParseFloat(num("score"), 64)
	if err != nil {
		return Score{}, 0, fmt.Errorf("feedback item: score: %w", err)
	}
	at, err := time.Parse(time.RFC3339Nano, str("time"))
	if err != nil {
		return Score{}, 0, fmt.Errorf("feedback item: time: %w", err)
	}
	expires, _ := strconv.ParseInt(num("expires_at"), 10, 64)
	return Score{TraceID: str("trace_id"), Workspace: str("workspace"), Value: value, Source: str("source"), Time: at.UTC()}, expires, nil
}

// backoff grows from 100ms to a 2s ceiling.
func backoff(attempt int) time.Duration {
	return min(50*time.Millisecond<<min(attempt, 6), 2*time.Second)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
