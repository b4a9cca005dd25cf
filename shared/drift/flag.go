package drift

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Flag is one detected change of one metric of one model, with its
// evidence. Means and Effect are in Unit; Effect is recent − reference.
type Flag struct {
	// ID is the flag's sort key: <recent end RFC 3339>#<model>#<metric>.
	ID     string `json:"id" dynamodbav:"-"`
	Model  string `json:"model" dynamodbav:"model"` // provider/model
	Metric Metric `json:"metric" dynamodbav:"metric"`
	Unit   string `json:"unit" dynamodbav:"unit"`
	// Statistic is the test that decided.
	Statistic Statistic `json:"statistic" dynamodbav:"statistic"`
	Reference Side      `json:"reference" dynamodbav:"reference"`
	Recent    Side      `json:"recent" dynamodbav:"recent"`
	Effect    float64   `json:"effect" dynamodbav:"effect"`
	// Relative is Effect / the reference mean (0 when that mean is 0).
	Relative float64 `json:"relative" dynamodbav:"relative"`
	// Standardized is Cohen's d (Welch tests; for latency on log latency)
	// or Cohen's h (error rate).
	Standardized float64   `json:"standardized" dynamodbav:"standardized"`
	Direction    string    `json:"direction" dynamodbav:"direction"` // "increase" or "decrease"
	DetectedAt   time.Time `json:"detected_at" dynamodbav:"detected_at"`
}

// Statistic is a test's outcome and the level it was held to.
type Statistic struct {
	Name  string  `json:"name" dynamodbav:"name"`
	Value float64 `json:"value" dynamodbav:"value"`
	P     float64 `json:"p_value" dynamodbav:"p"`
	// Alpha is the per-test level: the family level over Family tests.
	Alpha  float64 `json:"alpha" dynamodbav:"alpha"`
	Family int     `json:"family" dynamodbav:"family"`
}

// Side is one window of a flag.
type Side struct {
	Start time.Time `json:"start" dynamodbav:"start"`
	End   time.Time `json:"end" dynamodbav:"end"`
	N     int       `json:"n" dynamodbav:"n"`
	Mean  float64   `json:"mean" dynamodbav:"mean"`
	// Sampled says a slice of the window reached its read bound: the
	// window may hold more calls than were compared.
	Sampled bool `json:"sampled,omitempty" dynamodbav:"sampled,omitempty"`
}

// DefaultFlagTTL is how long a flag is kept after its window.
const DefaultFlagTTL = 90 * 24 * time.Hour

// MaxList bounds one Flags answer.
const MaxList = 1000

// DB is what the store needs from an org's scoped DynamoDB client.
type DB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Store writes and lists an org's flags. It holds no mutable state and is
// safe for concurrent use.
type Store struct {
	table string
	clock func() time.Time
	ttl   time.Duration
}

// NewStore returns a Store on table; clock (default time.Now) decides
// which flags have expired.
func NewStore(table string, clock func() time.Time) *Store {
	if clock == nil {
		clock = time.Now
	}
	return &Store{table: table, clock: clock, ttl: DefaultFlagTTL}
}

// FlagsPK is the partition of org's flags.
func FlagsPK(org string) string { return "ORG#" + org + "#DRIFT" }

// skTime is fixed-width (window ends are whole hours, UTC).
const skTime = "2006-01-02T15:04:05Z"

// FlagID is the sort key of the flag of model's metric for the recent
// window ending at end: a rerun over the same windows finds it again.
func FlagID(end time.Time, model string, m Metric) string {
	return end.UTC().Format(skTime) + "#" + model + "#" + string(m)
}

// Put stores f in org's partition unless a flag with its ID is already
// there (the first detection wins, so a rerun changes nothing). created
// reports whether it wrote. The flag expires FlagTTL after its window.
func (s *Store) Put(ctx context.Context, db DB, org string, f Flag) (created bool, err error) {
	f.ID = FlagID(f.Recent.End, f.Model, f.Metric)
	for _, x := range []*float64{&f.Statistic.Value, &f.Statistic.P, &f.Statistic.Alpha, &f.Reference.Mean, &f.Recent.Mean,
		&f.Effect, &f.Relative, &f.Standardized} {
		*x = storable(*x)
	}
	item, err := attributevalue.MarshalMap(f)
	if err != nil {
		return false, fmt.Errorf("encode drift flag: %w", err)
	}
	item["pk"], item["sk"] = str(FlagsPK(org)), str(f.ID)
	item["expires_at"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(f.Recent.End.Add(s.ttl).Unix(), 10)}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item, ConditionExpression: aws.String("attribute_not_exists(sk)"),
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ccf):
		return false, nil
	}
	return false, apperr.Wrap(fmt.Errorf("store drift flag: %w", err), apperr.Unavailable, "drift_store_unavailable",
		"drift flags could not be stored; retry shortly").WithRetryAfter(time.Second)
}

// Flags lists org's unexpired flags whose recent window ended at or after
// since, newest window first (within a window, by model and metric), at
// most MaxList of them.
func (s *Store) Flags(ctx context.Context, db DB, org string, since time.Time) ([]Flag, error) {
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("pk = :pk AND sk >= :since"),
		FilterExpression:       aws.String("expires_at > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(FlagsPK(org)), ":since": str(since.UTC().Format(skTime)),
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(s.clock().Unix(), 10)},
		},
		ScanIndexForward: aws.Bool(false),
	})
	var out []Flag
	for p.HasMorePages() && len(out) < MaxList {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, apperr.Wrap(fmt.Errorf("list drift flags: %w", err), apperr.Unavailable, "drift_store_unavailable",
				"drift flags could not be read; retry shortly").WithRetryAfter(time.Second)
		}
		for _, it := range page.Items {
			var f Flag
			if err := attributevalue.UnmarshalMap(it, &f); err != nil {
				return nil, apperr.Wrap(err, apperr.Internal, "corrupt_drift_flag", "internal error")
			}
			if sk, ok := it["sk"].(*types.AttributeValueMemberS); ok {
				f.ID = sk.Value
			}
			out = append(out, f)
		}
	}
	if len(out) > MaxList {
		out = out[:MaxList]
	}
	// Within one window end, sort keys run by model and metric descending;
	// keep the window order but list a window's flags by model and metric.
	sortWithinWindows(out)
	return out, nil
}

func sortWithinWindows(fs []Flag) {
	for i := 0; i < len(fs); {
		j := i
		for j < len(fs) && windowOf(fs[j].ID) == windowOf(fs[i].ID) {
			j++
		}
		for a, b := i, j-1; a < b; a, b = a+1, b-1 {
			fs[a], fs[b] = fs[b], fs[a]
		}
		i = j
	}
}

func windowOf(id string) string {
	w, _, _ := strings.Cut(id, "#")
	return w
}

// storable brings x into DynamoDB's number range (magnitudes 1e-130 to
// below 1e126): a p-value of 1e-200 is stored as 0, an unbounded
// statistic as ±1e125.
func storable(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return 0
	case x > 1e125:
		return 1e125
	case x < -1e125:
		return -1e125
	case math.Abs(x) < 1e-130:
		return 0
	}
	return x
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
