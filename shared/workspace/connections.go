package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// ConnectionInfo is what the management API may show of a connection. It
// has no field for a sealed key or an AWS key ID at all, so no handler can
// leak one by serialising it.
type ConnectionInfo struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	BaseURL     string `json:"base_url,omitempty"`
	Region      string `json:"region,omitempty"`
	APIVersion  string `json:"api_version,omitempty"`
	Last4       string `json:"last4,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

var (
	connNameRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	errConnGone = apperr.New(apperr.NotFound, "connection_not_found", "no such provider connection")
)

// ValidConnectionName reports whether name can name a connection: 1-32 of
// a-z, 0-9, '_' and '-', starting with a letter or digit. It holds no '/',
// so "connection/model" always splits at the connection's end.
func ValidConnectionName(name string) bool { return connNameRE.MatchString(name) }

// connInfoProjection names only the displayable attributes: the sealed
// values are never even read.
const connInfoProjection = "#n, #k, #b, #r, #v, #l, #f"

var connInfoNames = map[string]string{"#n": "name", "#k": "kind", "#b": "base_url", "#r": "region",
	"#v": "api_version", "#l": "last4", "#f": "fingerprint"}

// ListConnections returns the workspace's provider connections, ordered by
// name, without their keys: the query projects only displayable attributes.
func (s *Store) ListConnections(ctx context.Context, db DB, org, ws string) ([]ConnectionInfo, error) {
	out := []ConnectionInfo{}
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(s.cfg.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :pre)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(PK(org, ws)), ":pre": str(skConnPre)},
		ProjectionExpression:     aws.String(connInfoProjection),
		ExpressionAttributeNames: connInfoNames,
		ConsistentRead:           aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, unavailable("list connections", err)
		}
		for _, it := range page.Items {
			var ci connItem
			if err := attributevalue.UnmarshalMap(it, &ci); err != nil {
				return nil, apperr.Wrap(err, apperr.Internal, "corrupt_settings", "internal error")
			}
			out = append(out, ConnectionInfo{Name: ci.Name, Kind: ci.Kind, BaseURL: ci.BaseURL, Region: ci.Region,
				APIVersion: ci.APIVersion, Last4: ci.Last4, Fingerprint: ci.Fingerprint})
		}
	}
	return out, nil
}

// DeleteConnection removes a provider connection and with it the sealed
// key. Aliases naming it are left alone: the gateway skips their targets
// on it. An absent connection is NotFound connection_not_found.
func (s *Store) DeleteConnection(ctx context.Context, db AdminDB, org, ws, name string) error {
	if !ValidConnectionName(name) {
		return errConnGone
	}
	return s.deleteWorkspaceItem(ctx, db, org, ws, skConnPre+name, errConnGone, "delete connection")
}

// deleteWorkspaceItem deletes one item of the workspace's partition, or
// answers gone when it is absent, and drops this instance's cached snapshot.
func (s *Store) deleteWorkspaceItem(ctx context.Context, db AdminDB, org, ws, sk string, gone error, op string) error {
	defer s.Invalidate(org, ws)
	_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.cfg.Table),
		Key:                 map[string]types.AttributeValue{"pk": str(PK(org, ws)), "sk": str(sk)},
		ConditionExpression: aws.String("attribute_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return gone
	}
	if err != nil {
		return unavailable(op, err)
	}
	return nil
}

// KeyFingerprint identifies a provider key without revealing it: "sha256:"
// and the first 16 hex digits of its SHA-256. It is safe to show and log,
// as provider keys carry far more than the 64 bits an attacker would have
// to search, and it lets a user tell which of their keys a connection holds.
func KeyFingerprint(plain []byte) string {
	sum := sha256.Sum256(plain)
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// keyLast4Min is the shortest key whose last four characters are shown:
// four characters of a shorter key would be too much of it.
const keyLast4Min = 16

// KeyLast4 returns a key's last four characters, safe to show so a user can
// recognise the key the way a card's last digits are shown. It returns ""
// for a key shorter than 16 characters, which four characters would weaken.
func KeyLast4(plain string) string {
	r := []rune(plain)
	if len(r) < keyLast4Min {
		return ""
	}
	return string(r[len(r)-4:])
}
