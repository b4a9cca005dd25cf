package auth

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/flight"
)

// Principal is an authenticated caller.
type Principal struct {
	Org       string
	Workspace string
	TokenID   string
	// Member is the person the token acts for; the management API reads
	// their current role on every call. Empty for service tokens.
	Member  string
	Scopes  []string
	Expires time.Time
	// Per-token limits; zero means none.
	CapNano  int64 // monthly spend cap, nano-USD
	RPM, TPM int64
}

// Has reports whether the principal holds scope.
func (p *Principal) Has(scope string) bool { return slices.Contains(p.Scopes, scope) }

// Getter is the one DynamoDB call authentication needs, made with the
// function's own role (which may read only TOKEN# items).
type Getter interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Config configures an Authenticator.
type Config struct {
	Table string
	DB    Getter
	// CacheTTL bounds how long a lookup (found or not) is reused; it is the
	// longest a revoked token keeps working on a warm instance. Default 10s.
	CacheTTL time.Duration
	// CacheSize bounds the cache. Default 10,000 tokens.
	CacheSize int
	// Timeout bounds the lookup; past it the request is refused. Default 2s.
	Timeout time.Duration
	Clock   func() time.Time
}

// Authenticator checks tokens. It is safe for concurrent use.
type Authenticator struct {
	cfg    Config
	mu     sync.Mutex
	cache  map[string]cached // by token hash, never by token
	flight flight.Group[string, *Principal]
}

type cached struct {
	p       *Principal // nil: no such token
	fetched time.Time
}

// New returns an Authenticator.
func New(cfg Config) *Authenticator {
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 10 * time.Second
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 10_000
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Authenticator{cfg: cfg, cache: make(map[string]cached)}
}

var (
	errMissing = apperr.New(apperr.Unauthenticated, "missing_api_key",
		"no API key: send it as 'Authorization: Bearer <key>'")
	errInvalid = apperr.New(apperr.Unauthenticated, "invalid_api_key", "the API key is not valid")
	errExpired = apperr.New(apperr.Unauthenticated, "expired_api_key", "the API key has expired")
)

// BearerToken extracts the token from an Authorization header value
// ("Bearer <token>") or an x-api-key style header value.
func BearerToken(authorization, apiKey string) string {
	if authorization != "" {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(authorization), " ")
		if ok && strings.EqualFold(scheme, "bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return strings.TrimSpace(apiKey)
}

// Authenticate resolves a token to its principal. Unknown, malformed,
// expired and revoked tokens are Unauthenticated; a lookup that fails is
// Unavailable (fail closed).
func (a *Authenticator) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, errMissing
	}
	if !WellFormed(token) {
		return nil, errInvalid
	}
	hash := Hash(token)
	now := a.cfg.Clock()
	a.mu.Lock()
	c, ok := a.cache[hash]
	a.mu.Unlock()
	if !ok || now.Sub(c.fetched) >= a.cfg.CacheTTL || now.Before(c.fetched) {
		p, err := a.flight.Do(ctx, hash, func() (*Principal, error) { return a.lookup(ctx, hash) })
		if err != nil {
			return nil, err
		}
		c = cached{p: p, fetched: now}
		a.store(hash, c)
	}
	switch {
	case c.p == nil:
		return nil, errInvalid
	case !now.Before(c.p.Expires):
		return nil, errExpired
	}
	return c.p, nil
}

func (a *Authenticator) store(hash string, c cached) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cache) >= a.cfg.CacheSize {
		// Drop the stalest half: cheap, bounded, and rare under normal load.
		cut := a.cfg.Clock().Add(-a.cfg.CacheTTL / 2)
		for k, v := range a.cache {
			if v.fetched.Before(cut) || len(a.cache) >= a.cfg.CacheSize {
				delete(a.cache, k)
			}
		}
	}
	a.cache[hash] = c
}

func (a *Authenticator) lookup(ctx context.Context, hash string) (*Principal, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	out, err := a.cfg.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(a.cfg.Table),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: LookupPK(hash)},
			"sk": &types.AttributeValueMemberS{Value: LookupSK},
		},
	})
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("look up token: %w", err), apperr.Unavailable, "auth_unavailable",
			"the API key could not be checked; retry shortly").WithRetryAfter(time.Second)
	}
	if out.Item == nil {
		return nil, nil
	}
	return principalFromItem(out.Item)
}

func principalFromItem(it map[string]types.AttributeValue) (*Principal, error) {
	str := func(k string) string {
		v, _ := it[k].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	p := &Principal{Org: str("org"), Workspace: str("workspace"), TokenID: str("token_id"), Member: str("member")}
	if ss, ok := it["scopes"].(*types.AttributeValueMemberSS); ok {
		p.Scopes = ss.Value
	}
	if v, ok := it["valid_until"].(*types.AttributeValueMemberN); ok {
		secs, err := strconv.ParseInt(v.Value, 10, 64)
		if err == nil {
			p.Expires = time.Unix(secs, 0).UTC()
		}
	}
	num := func(k string) int64 {
		v, _ := it[k].(*types.AttributeValueMemberN)
		if v == nil {
			return 0
		}
		x, _ := strconv.ParseInt(v.Value, 10, 64)
		return x
	}
	p.CapNano, p.RPM, p.TPM = num("cap_nano"), num("rpm"), num("tpm")
	if p.Org == "" || p.Workspace == "" || p.TokenID == "" || p.Expires.IsZero() {
		return nil, apperr.New(apperr.Internal, "corrupt_token_record", "internal error")
	}
	return p, nil
}

// LookupItem is the global lookup item for a token. validUntil is when it
// stops working (its expiry, or the end of a rotation's grace period); the
// item's TTL removes it a day later.
func LookupItem(hash string, p Principal, validUntil time.Time) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"pk":          &types.AttributeValueMemberS{Value: LookupPK(hash)},
		"sk":          &types.AttributeValueMemberS{Value: LookupSK},
		"org":         &types.AttributeValueMemberS{Value: p.Org},
		"workspace":   &types.AttributeValueMemberS{Value: p.Workspace},
		"token_id":    &types.AttributeValueMemberS{Value: p.TokenID},
		"scopes":      &types.AttributeValueMemberSS{Value: p.Scopes},
		"valid_until": &types.AttributeValueMemberN{Value: strconv.FormatInt(validUntil.Unix(), 10)},
		"expires_at":  &types.AttributeValueMemberN{Value: strconv.FormatInt(validUntil.Add(24*time.Hour).Unix(), 10)},
		"cap_nano":    &types.AttributeValueMemberN{Value: strconv.FormatInt(p.CapNano, 10)},
		"rpm":         &types.AttributeValueMemberN{Value: strconv.FormatInt(p.RPM, 10)},
		"tpm":         &types.AttributeValueMemberN{Value: strconv.FormatInt(p.TPM, 10)},
	}
	if p.Member != "" {
		item["member"] = &types.AttributeValueMemberS{Value: p.Member}
	}
	return item
}
