package workspace

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/flight"
	"github.com/tollgate-dev/tollgate/shared/pricing"
)

// DB is the part of the DynamoDB API the store uses, with the org's scoped client.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Config configures a Store.
type Config struct {
	Table string
	// CacheTTL bounds how stale a snapshot may be: the delay before a
	// settings change reaches a warm gateway. Default 5s.
	CacheTTL time.Duration
	// CacheSize bounds the cached snapshots. Default 4096.
	CacheSize int
	// Timeout bounds a load. Default 2s.
	Timeout time.Duration
	Clock   func() time.Time
}

// Store loads and caches snapshots. It is safe for concurrent use.
type Store struct {
	cfg    Config
	mu     sync.Mutex
	cache  map[string]cachedSnapshot
	flight flight.Group[string, *Snapshot]
}

type cachedSnapshot struct {
	s       *Snapshot
	fetched time.Time
}

// NewStore returns a Store.
func NewStore(cfg Config) *Store {
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 5 * time.Second
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 4096
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Store{cfg: cfg, cache: make(map[string]cachedSnapshot)}
}

// Load returns the workspace's snapshot, from cache when fresh.
func (s *Store) Load(ctx context.Context, db DB, org, ws string) (*Snapshot, error) {
	key := org + "/" + ws
	now := s.cfg.Clock()
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && now.Sub(c.fetched) < s.cfg.CacheTTL && !now.Before(c.fetched) {
		return c.s, nil
	}
	snap, err := s.flight.Do(ctx, key, func() (*Snapshot, error) { return s.load(ctx, db, org, ws) })
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.cache) >= s.cfg.CacheSize {
		for k, v := range s.cache {
			if now.Sub(v.fetched) >= s.cfg.CacheTTL || len(s.cache) >= s.cfg.CacheSize {
				delete(s.cache, k)
			}
		}
	}
	s.cache[key] = cachedSnapshot{s: snap, fetched: now}
	s.mu.Unlock()
	return snap, nil
}

// Invalidate drops a cached snapshot, after a change made by this instance.
func (s *Store) Invalidate(org, ws string) {
	s.mu.Lock()
	delete(s.cache, org+"/"+ws)
	s.mu.Unlock()
}

func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "settings_unavailable",
		"workspace settings could not be loaded; retry shortly").WithRetryAfter(time.Second)
}

func (s *Store) load(ctx context.Context, db DB, org, ws string) (*Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	snap := &Snapshot{Org: org, Workspace: ws, Aliases: map[string]Alias{}, Connections: map[string]Connection{}}

	orgOut, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.cfg.Table),
		Key:       map[string]types.AttributeValue{"pk": str(OrgPK(org)), "sk": str(skOrg)},
	})
	if err != nil {
		return nil, unavailable("load org", err)
	}
	if orgOut.Item == nil {
		return nil, apperr.New(apperr.Unauthenticated, "invalid_api_key", "the API key is not valid")
	}
	var oi orgItem
	if err := attributevalue.UnmarshalMap(orgOut.Item, &oi); err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
	}
	snap.OrgSettings = Org{Name: oi.Name, MonthlyCap: pricing.NanoUSD(oi.MonthlyCap), PriceOverrides: oi.PriceOverrides,
		AlertThresholds: oi.AlertThresholds}
	if snap.Prices, err = pricing.NewTable(oi.PriceOverrides); err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
	}

	found := false
	var start map[string]types.AttributeValue
	for {
		out, err := db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.cfg.Table),
			KeyConditionExpression:    aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(PK(org, ws))},
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, unavailable("load workspace", err)
		}
		for _, it := range out.Items {
			sk, _ := it["sk"].(*types.AttributeValueMemberS)
			if sk == nil {
				continue
			}
			switch {
			case sk.Value == skSettings:
				found = true
				var si settingsItem
				if err := attributevalue.UnmarshalMap(it, &si); err != nil {
					return nil, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
				}
				snap.Settings = settingsFromItem(si)
			case strings.HasPrefix(sk.Value, skAliasPre):
				var ai aliasItem
				if err := attributevalue.UnmarshalMap(it, &ai); err != nil {
					return nil, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
				}
				a := Alias{Name: ai.Name, Version: ai.Version}
				for _, t := range ai.Targets {
					if tg, ok := ParseTarget(t); ok {
						a.Targets = append(a.Targets, tg)
					}
				}
				snap.Aliases[a.Name] = a
			case strings.HasPrefix(sk.Value, skConnPre):
				var ci connItem
				if err := attributevalue.UnmarshalMap(it, &ci); err != nil {
					return nil, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
				}
				snap.Connections[ci.Name] = connFromItem(ci)
			}
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	if !found {
		return nil, apperr.New(apperr.Unauthenticated, "invalid_api_key", "the API key is not valid")
	}
	return snap, nil
}

func settingsFromItem(si settingsItem) Settings {
	st := Settings{
		Name: si.Name, MonthlyCap: pricing.NanoUSD(si.MonthlyCap), RPM: si.RPM, TPM: si.TPM,
		MaxOutputTokens: si.MaxOutputTokens, AllowedModels: si.AllowedModels,
		StoreContentAllowed: si.StoreContentAllowed, RedactAfterDays: si.RedactAfterDays, RetentionDays: si.RetentionDays,
		AlertThresholds: si.AlertThresholds, EvalMonthlyCap: pricing.NanoUSD(si.EvalMonthlyCap), ShadowSamplePercent: si.ShadowPercent,
		MarginBP: si.MarginBP,
	}
	if st.MarginBP <= 0 {
		st.MarginBP = DefaultMarginBP
	}
	if st.EvalMonthlyCap <= 0 {
		st.EvalMonthlyCap = DefaultEvalMonthlyCap
	}
	if st.RedactAfterDays <= 0 {
		st.RedactAfterDays = defaultRedac
	}
	if st.RetentionDays <= 0 {
		st.RetentionDays = defaultRet
	}
	return st
}

func connFromItem(ci connItem) Connection {
	return Connection{
		Name: ci.Name, Kind: ci.Kind, BaseURL: ci.BaseURL, Region: ci.Region, APIVersion: ci.APIVersion,
		SealedKey: ci.SealedKey, AccessKeyID: ci.AccessKeyID, SealedAWSSecret: ci.SealedAWSSecret,
		Last4: ci.Last4, Fingerprint: ci.Fingerprint,
	}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
