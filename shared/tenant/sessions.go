package tenant

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/flight"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// TagKey is the session tag TenantRole's policy reads (aws:PrincipalTag/org).
const TagKey = "org"

// Assumer is the one STS call this package needs.
type Assumer interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// Config configures Sessions.
type Config struct {
	// RoleARN is TenantRole's ARN.
	RoleARN string
	// Base is the AWS config scoped clients are built from (region,
	// endpoint, HTTP client); its credentials are replaced per org.
	Base aws.Config
	// STS assumes TenantRole with the function's own credentials.
	STS Assumer
	// Duration of each session; default one hour.
	Duration time.Duration
	// RefreshBefore renews a session this long before it expires; default 5 minutes.
	RefreshBefore time.Duration
	// MaxOrgs bounds the cache; the least recently used org is evicted. Default 1024.
	MaxOrgs int
	// Clock defaults to time.Now.
	Clock func() time.Time
}

// Scoped holds clients whose every call runs as TenantRole for one org.
type Scoped struct {
	Org      string
	DynamoDB *dynamodb.Client
	KMS      *kms.Client
	Expires  time.Time
}

// Sessions caches Scoped clients per org. It is safe for concurrent use.
type Sessions struct {
	cfg    Config
	flight flight.Group[string, *Scoped] // one AssumeRole per org at a time

	mu      sync.Mutex
	entries map[string]*entry // established sessions only: failures are never cached
	assumes int64
}

type entry struct {
	scoped   *Scoped
	lastUsed time.Time
}

// New returns a Sessions with cfg's defaults filled in.
func New(cfg Config) *Sessions {
	if cfg.Duration == 0 {
		cfg.Duration = time.Hour
	}
	if cfg.RefreshBefore == 0 {
		cfg.RefreshBefore = 5 * time.Minute
	}
	if cfg.MaxOrgs == 0 {
		cfg.MaxOrgs = 1024
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Sessions{cfg: cfg, entries: make(map[string]*entry)}
}

// For returns clients scoped to orgID, assuming TenantRole when no fresh
// session is cached. Failures are Unavailable errors: the caller must refuse
// the request (fail closed), never fall back to broader credentials.
func (s *Sessions) For(ctx context.Context, orgID string) (*Scoped, error) {
	if !id.Valid(id.Org, orgID) {
		return nil, apperr.New(apperr.Internal, "invalid_org", "internal error").WithParam("org")
	}
	now := s.cfg.Clock()
	if sc, ok := s.fresh(orgID, now); ok {
		return sc, nil
	}
	scoped, err := s.flight.Do(ctx, orgID, func() (*Scoped, error) {
		if sc, ok := s.fresh(orgID, now); ok {
			return sc, nil // a flight that landed since the check above
		}
		s.mu.Lock()
		s.assumes++
		s.mu.Unlock()
		sc, err := s.assume(ctx, orgID)
		if err == nil {
			s.mu.Lock()
			s.entries[orgID] = &entry{scoped: sc, lastUsed: now}
			s.evictLocked(orgID)
			s.mu.Unlock()
		}
		return sc, err
	})
	if err != nil && ctx.Err() != nil {
		return nil, apperr.Wrap(ctx.Err(), apperr.Unavailable, "tenant_session_unavailable", "could not establish a tenant session").WithRetryAfter(time.Second)
	}
	return scoped, err
}

// fresh returns the org's cached session unless it is near expiry.
func (s *Sessions) fresh(orgID string, now time.Time) (*Scoped, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[orgID]
	if !ok || !now.Before(e.scoped.Expires.Add(-s.cfg.RefreshBefore)) {
		return nil, false
	}
	e.lastUsed = now
	return e.scoped, true
}

// Forget drops an org's cached session, e.g. after the org is deleted.
func (s *Sessions) Forget(orgID string) {
	s.mu.Lock()
	delete(s.entries, orgID)
	s.mu.Unlock()
}

// AssumeCount reports how many AssumeRole calls were made, for tests and
// benchmarks that check the hot path makes none when warm.
func (s *Sessions) AssumeCount() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.assumes
}

// evictLocked removes least recently used sessions while the cache is over
// its bound. keep is never evicted.
func (s *Sessions) evictLocked(keep string) {
	for len(s.entries) > s.cfg.MaxOrgs {
		var oldest string
		var oldestAt time.Time
		for org, e := range s.entries {
			if org == keep {
				continue
			}
			if oldest == "" || e.lastUsed.Before(oldestAt) {
				oldest, oldestAt = org, e.lastUsed
			}
		}
		if oldest == "" {
			return
		}
		delete(s.entries, oldest)
	}
}

func (s *Sessions) assume(ctx context.Context, orgID string) (*Scoped, error) {
	out, err := s.cfg.STS.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(s.cfg.RoleARN),
		RoleSessionName: aws.String("tollgate-" + orgID),
		DurationSeconds: aws.Int32(int32(s.cfg.Duration / time.Second)),
		Tags:            []ststypes.Tag{{Key: aws.String(TagKey), Value: aws.String(orgID)}},
	})
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("assume tenant role: %w", err), apperr.Unavailable,
			"tenant_session_unavailable", "could not establish a tenant session").WithRetryAfter(time.Second)
	}
	c := out.Credentials
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil || c.Expiration == nil {
		return nil, apperr.New(apperr.Unavailable, "tenant_session_unavailable", "could not establish a tenant session")
	}
	creds := aws.Credentials{
		AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken,
		Source: "tenant", CanExpire: true, Expires: *c.Expiration,
	}
	cfg := s.cfg.Base.Copy()
	cfg.Credentials = staticProvider{creds}
	return &Scoped{
		Org:      orgID,
		DynamoDB: dynamodb.NewFromConfig(cfg),
		KMS:      kms.NewFromConfig(cfg),
		Expires:  c.Expiration.UTC(),
	}, nil
}

// staticProvider hands out one set of session credentials; Sessions renews
// the whole Scoped before they expire.
type staticProvider struct{ creds aws.Credentials }

func (p staticProvider) Retrieve(context.Context) (aws.Credentials, error) { return p.creds, nil }
