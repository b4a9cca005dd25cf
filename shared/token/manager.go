package token

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// OrgDB is the org-scoped client (a TenantRole session tagged with the
// org): it reaches the org's token records and nothing else, so a bug here
// cannot touch another org's tokens.
type OrgDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// LookupDB is the API function's own client, which may write only the
// global TOKEN#<hash> lookups that authentication reads. It is separate
// from OrgDB because no single credential may write both families.
type LookupDB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Config configures a Manager. Zero fields take the documented defaults.
type Config struct {
	Table string
	// Clock is injectable so expiry and grace periods are testable without
	// waiting. Default time.Now.
	Clock func() time.Time
	// DefaultTTL is a new token's lifetime when the spec names none, so no
	// token lives forever by accident. Default 365 days.
	DefaultTTL time.Duration
	// MaxTTL bounds a token's lifetime. Default 2 years.
	MaxTTL time.Duration
	// MaxGrace bounds how long a rotated-out secret keeps working, so a
	// leaked secret cannot be "rotated" yet stay usable for months.
	// Default 7 days.
	MaxGrace time.Duration
	// Timeout bounds each store call, so a stuck dependency fails the
	// request (Unavailable) instead of hanging it. Default 3s.
	Timeout time.Duration
}

// Manager runs the token lifecycle. It holds no per-org state (callers
// pass the org's clients to each call) and is safe for concurrent use.
type Manager struct {
	cfg Config
}

// Default limits.
const (
	defaultTTL     = 365 * 24 * time.Hour
	defaultMaxTTL  = 2 * 365 * 24 * time.Hour
	defaultGrace   = 7 * 24 * time.Hour
	defaultTimeout = 3 * time.Second
	// MinTTL is the shortest lifetime a token may be created with: shorter
	// ones are almost always a unit mistake (seconds for hours).
	MinTTL = time.Hour
)

// New returns a Manager.
func New(cfg Config) *Manager {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.DefaultTTL == 0 {
		cfg.DefaultTTL = defaultTTL
	}
	if cfg.MaxTTL == 0 {
		cfg.MaxTTL = defaultMaxTTL
	}
	if cfg.MaxGrace == 0 {
		cfg.MaxGrace = defaultGrace
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	return &Manager{cfg: cfg}
}

// now is the manager's clock in UTC, truncated to the second because
// validity is stored as unix seconds.
func (m *Manager) now() time.Time { return m.cfg.Clock().UTC().Truncate(time.Second) }

// call bounds one store call by the configured timeout.
func (m *Manager) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, m.cfg.Timeout)
}

// cleanup returns a context for compensating writes: it survives the
// request's cancellation, because leaving the first half of a write behind
// is worse than finishing the undo a moment after the client went away.
func (m *Manager) cleanup(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), m.cfg.Timeout)
}
