package shadow

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Hold bounds: how long an unscored sample is kept before TTL removes it.
const (
	// DefaultHold gives a weekly evaluation schedule time to score a sample.
	DefaultHold = 7 * 24 * time.Hour
	// MaxHold keeps customer text from lingering: a sample nobody scored
	// within a month is stale traffic anyway.
	MaxHold = 30 * 24 * time.Hour
)

// DB is the part of the DynamoDB API the store uses. Pass the org's scoped
// client: the TenantRole policy then refuses any key outside the org.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Store keeps shadow samples sealed in the table. It holds no state beyond
// its configuration and is safe for concurrent use.
type Store struct {
	table string
	clock func() time.Time
	hold  time.Duration
}

// Option adjusts a Store.
type Option func(*Store)

// WithHold sets how long a sample is kept unscored (its TTL from Put). Zero
// or less takes DefaultHold; more than MaxHold takes MaxHold, so no
// configuration keeps customer text longer than the documented bound.
func WithHold(d time.Duration) Option {
	return func(s *Store) {
		switch {
		case d <= 0:
			s.hold = DefaultHold
		case d > MaxHold:
			s.hold = MaxHold
		default:
			s.hold = d
		}
	}
}

// NewStore returns a Store writing to table. clock decides expiry (Put's
// TTL, and which samples List and Open still treat as held); nil is
// time.Now.
func NewStore(table string, clock func() time.Time, opts ...Option) *Store {
	if clock == nil {
		clock = time.Now
	}
	s := &Store{table: table, clock: clock, hold: DefaultHold}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Hold reports how long the store keeps an unscored sample.
func (s *Store) Hold() time.Duration { return s.hold }

// item is a sample as stored: metadata in clear, text only in Sealed.
type item struct {
	PK               string    `dynamodbav:"pk"`
	SK               string    `dynamodbav:"sk"`
	ID               string    `dynamodbav:"id"`
	Workspace        string    `dynamodbav:"workspace"`
	Alias            string    `dynamodbav:"alias"`
	Model            string    `dynamodbav:"model"`
	Time             time.Time `dynamodbav:"time"`
	CostNano         int64     `dynamodbav:"cost_nano"`
	PromptTokens     int64     `dynamodbav:"prompt_tokens"`
	CompletionTokens int64     `dynamodbav:"completion_tokens"`
	Sealed           string    `dynamodbav:"sealed,omitempty"`
	ExpiresAt        int64     `dynamodbav:"expires_at"`
}

// expired reports whether the item's hold has run out at now. TTL deletes
// lag (up to days), so readers check it themselves.
func (it item) expired(now time.Time) bool { return it.ExpiresAt <= now.Unix() }
