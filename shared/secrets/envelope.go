package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

const (
	nonceSize = 12
	tagSize   = 16
	// MaxPlaintext bounds one secret; datasets are chunked by their owner.
	MaxPlaintext = 1 << 20
)

// DynamoDB is the part of the DynamoDB API the key store uses.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// KMS is the part of the KMS API the key store uses.
type KMS interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// Scope is one org's scoped clients (tenant.Scoped provides them).
type Scope struct {
	Org      string
	DynamoDB DynamoDB
	KMS      KMS
}

// Config configures an Envelope.
type Config struct {
	Table     string
	KMSKeyARN string // the deployment key; sent as KeyId on every Decrypt
	// CacheSize bounds the plaintext data keys held in memory; default 256.
	CacheSize int
	// CacheTTL bounds how long a plaintext data key stays in memory; default 5 minutes.
	CacheTTL time.Duration
	Clock    func() time.Time
}

// Envelope seals and opens tenant secrets. It is safe for concurrent use.
type Envelope struct {
	cfg   Config
	cache *keyCache
}

// New returns an Envelope.
func New(cfg Config) *Envelope {
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 256
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 5 * time.Minute
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Envelope{cfg: cfg, cache: newKeyCache(cfg.CacheSize, cfg.CacheTTL, cfg.Clock)}
}

// Seal encrypts plaintext for (org, purpose, record) under the org's current
// data key, creating the org's first data key if it has none.
func (e *Envelope) Seal(ctx context.Context, s Scope, purpose, record string, plaintext []byte) (string, error) {
	if len(plaintext) > MaxPlaintext {
		return "", apperr.New(apperr.TooLarge, "secret_too_large", "secret is too large")
	}
	k, err := e.currentKey(ctx, s)
	if err != nil {
		return "", err
	}
	aead, err := newGCM(k.plain)
	if err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "seal_failed", "internal error")
	}
	payload := make([]byte, nonceSize, nonceSize+len(plaintext)+tagSize)
	if _, err := rand.Read(payload); err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "seal_failed", "internal error")
	}
	payload = aead.Seal(payload, payload[:nonceSize], plaintext, aad(s.Org, purpose, record))
	return sealed{version: Version1, keyID: k.id, payload: payload}.String(), nil
}

// ErrUnreadable is the cause of every Open failure that is not an outage:
// malformed input, unknown version, a destroyed or foreign data key, or a
// ciphertext that fails authentication.
var ErrUnreadable = errors.New("secret unreadable")

// Open decrypts a sealed string for (org, purpose, record).
func (e *Envelope) Open(ctx context.Context, s Scope, purpose, record, v string) ([]byte, error) {
	p, err := parse(v)
	if err != nil {
		return nil, unreadable(err)
	}
	k, err := e.key(ctx, s, p.keyID)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(k.plain)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "open_failed", "internal error")
	}
	plain, err := aead.Open(nil, p.payload[:nonceSize], p.payload[nonceSize:], aad(s.Org, purpose, record))
	if err != nil {
		return nil, unreadable(fmt.Errorf("authenticate: %w", err))
	}
	return plain, nil
}

// KeyID reports which data key sealed v, so re-encryption jobs can find
// records still under a retired key.
func KeyID(v string) (string, error) {
	p, err := parse(v)
	if err != nil {
		return "", unreadable(err)
	}
	return p.keyID, nil
}

func unreadable(cause error) error {
	return apperr.Wrap(fmt.Errorf("%w: %w", ErrUnreadable, cause), apperr.Internal, "secret_unreadable", "internal error")
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, "key_store_unavailable",
		"the key store is unavailable; retry shortly").WithRetryAfter(time.Second)
}
