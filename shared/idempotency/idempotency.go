// Package idempotency makes a retried mutating request safe: the first
// request with an Idempotency-Key runs, and every later request with the
// same key and the same body gets the first one's stored answer — errors
// included — without running again, so a client retrying after a timeout
// can never create two tokens, add a member twice or write a batch twice.
//
// Keys live in the caller's org (ORG#<org>#IDEM#<shard>, one item per key;
// callers prefix the key with the API key's ID, so two callers never share
// one), and are remembered for at least 24 hours. A
// stored answer may hold a secret (a new API key is shown once, in the
// answer), so it is sealed under the org's data key like any other
// secret, and never stored in clear.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// Keep is how long a key is remembered; Lease is how long a request that
// began with a key may run before another request may take the key over
// (the first one crashed).
const (
	Keep  = 25 * time.Hour
	Lease = 2 * time.Minute
)

// purpose is the secrets purpose of stored answers.
const purpose = "idempotent-response"

// DB is what the store needs from the org's scoped client.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Sealer seals and opens stored answers under the org's data key.
type Sealer interface {
	Seal(ctx context.Context, s secrets.Scope, purpose, record string, plaintext []byte) (string, error)
	Open(ctx context.Context, s secrets.Scope, purpose, record, v string) ([]byte, error)
}

// Store remembers keys. It holds no mutable state.
type Store struct {
	table  string
	sealer Sealer
	clock  func() time.Time
}

// New returns a Store; clock defaults to time.Now.
func New(table string, sealer Sealer, clock func() time.Time) *Store {
	if clock == nil {
		clock = time.Now
	}
	return &Store{table: table, sealer: sealer, clock: clock}
}

// Response is a stored answer.
type Response struct {
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"body"`
}

// ValidKey reports whether k can be an idempotency key: 1-255 printable
// ASCII characters, as the IETF draft and common APIs allow.
func ValidKey(k string) bool {
	if k == "" || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// Fingerprint identifies a request: its route and body.
func Fingerprint(route string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(route))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Typed refusals.
var (
	ErrReused     = apperr.New(apperr.Unprocessable, "idempotency_key_reused", "this Idempotency-Key was used with a different request")
	ErrInProgress = apperr.New(apperr.Conflict, "idempotency_key_in_progress", "a request with this Idempotency-Key is still running; retry shortly").WithRetryAfter(time.Second)
	ErrBadKey     = apperr.New(apperr.Invalid, "invalid_idempotency_key", "Idempotency-Key must be 1-255 printable ASCII characters").WithParam(Header)
)

// Begin claims key for a request with fingerprint fp. It returns the
// stored answer when the key already finished with the same request
// (replay), ErrReused when it was used with another, ErrInProgress while
// the first request runs, and (nil, nil) when the caller owns the key and
// must run the request and then call Finish (or Abandon).
func (s *Store) Begin(ctx context.Context, db DB, scope secrets.Scope, key, fp string) (*Response, error) {
	if !ValidKey(key) {
		return nil, ErrBadKey
	}
	now := s.clock().UTC()
	k := s.itemKey(scope.Org, key)
	for attempt := 0; attempt < 3; attempt++ {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(s.table),
			Item: map[string]types.AttributeValue{
				"pk": k["pk"], "sk": k["sk"], "fp": str(fp), "state": str("running"),
				"lease_until": num(now.Add(Lease).Unix()), "expires_at": num(now.Add(Keep).Unix()),
			},
			// A free key, an expired one (TTL lags), or an abandoned run.
			ConditionExpression:      aws.String("attribute_not_exists(pk) OR expires_at < :now OR (#s = :running AND lease_until < :now)"),
			ExpressionAttributeNames: map[string]string{"#s": "state"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":now": num(now.Unix()), ":running": str("running")},
		})
		if err == nil {
			return nil, nil
		}
		var ccf *types.ConditionalCheckFailedException
		if !errors.As(err, &ccf) {
			return nil, unavailable("claim idempotency key", err)
		}
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: k, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, unavailable("read idempotency key", err)
		}
		if out.Item == nil {
			continue // removed between the two calls: claim again
		}
		if attr(out.Item, "fp") != fp {
			return nil, ErrReused
		}
		if attr(out.Item, "state") != "done" {
			return nil, ErrInProgress
		}
		plain, err := s.sealer.Open(ctx, scope, purpose, key, attr(out.Item, "response"))
		if err != nil {
			return nil, fmt.Errorf("open stored answer: %w", err)
		}
		var r Response
		if err := json.Unmarshal(plain, &r); err != nil {
			return nil, apperr.Wrap(err, apperr.Internal, "corrupt_idempotency_record", "internal error")
		}
		return &r, nil
	}
	return nil, ErrInProgress
}

// Finish stores the answer of the request that owns key.
func (s *Store) Finish(ctx context.Context, db DB, scope secrets.Scope, key string, r Response) error {
	plain, err := json.Marshal(r)
	if err != nil {
		return err
	}
	sealed, err := s.sealer.Seal(ctx, scope, purpose, key, plain)
	if err != nil {
		return fmt.Errorf("seal stored answer: %w", err)
	}
	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       s.itemKey(scope.Org, key),
		UpdateExpression:          aws.String("SET #s = :done, #r = :r REMOVE lease_until"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames:  map[string]string{"#s": "state", "#r": "response"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": str("done"), ":r": str(sealed)},
	})
	if err != nil {
		return unavailable("store idempotent answer", err)
	}
	return nil
}

// Abandon frees key when its request could not produce an answer worth
// replaying (the store itself failed), so a retry runs again.
func (s *Store) Abandon(ctx context.Context, db DB, org, key string) error {
	_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: s.itemKey(org, key),
		ConditionExpression:       aws.String("#s = :running"),
		ExpressionAttributeNames:  map[string]string{"#s": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":running": str("running")},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return unavailable("free idempotency key", err)
	}
	return nil
}

// shards spreads an org's keys over partitions, so a busy org's retries
// do not make one hot partition.
const shards = 8

func (s *Store) itemKey(org, key string) map[string]types.AttributeValue {
	h := fnv.New32a()
	h.Write([]byte(key))
	return map[string]types.AttributeValue{
		"pk": str(fmt.Sprintf("ORG#%s#IDEM#%d", org, h.Sum32()%shards)), "sk": str(key)}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func attr(it map[string]types.AttributeValue, k string) string {
	if v, ok := it[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "idempotency_store_unavailable",
		"the request could not be made idempotent; retry shortly").WithRetryAfter(time.Second)
}
