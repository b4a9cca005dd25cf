package shadow

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/id"
)

// purpose is the secrets purpose of every sealed sample, so a sample can
// never be opened as a provider key, a dataset chunk or any other sealed
// record, nor the reverse.
const purpose = "shadow"

// Sealer seals records for one org. Store.Put refuses a Sealer of another
// org than the one it writes for, so a mixed-up caller cannot seal org A's
// sample under org B's key. dataset.OrgKeys is one.
type Sealer interface {
	Org() string
	Seal(ctx context.Context, purpose, record string, plaintext []byte) (string, error)
}

// Opener opens records sealed for one org. dataset.OrgKeys is one.
type Opener interface {
	Org() string
	Open(ctx context.Context, purpose, record, sealed string) ([]byte, error)
}

// IDPrefix names sample IDs, so a misplaced one is obvious in logs.
const IDPrefix = "shd_"

// keyTime formats a sample's time in its sort key: UTC, fixed width (years
// 0001-9999 are always four digits, nanoseconds always nine), so sort keys
// order as times do.
const keyTime = "2006-01-02T15:04:05.000000000Z"

// Attribute names of a sample item; see the package comment.
const (
	attrSealed  = "sealed"
	attrExpires = "expires_at"
)

func samplePK(org, ws, alias string) string {
	return "ORG#" + org + "#SHADOW#" + ws + "#" + alias
}

func sampleSK(t time.Time, sampleID string) string {
	return t.UTC().Format(keyTime) + "#" + sampleID
}

// parseRef splits a sort key into its time and ID, accepting only what
// sampleSK writes, so a crafted ref cannot reach another item's key.
func parseRef(ref string) (time.Time, string, bool) {
	ts, sampleID, ok := strings.Cut(ref, "#")
	if !ok || !id.Valid(IDPrefix, sampleID) {
		return time.Time{}, "", false
	}
	t, err := time.Parse(keyTime, ts)
	if err != nil || t.Format(keyTime) != ts {
		return time.Time{}, "", false
	}
	return t, sampleID, true
}

// record names a sample in its seal, so its sealed document opens only as
// that sample of that alias in that workspace (the org is bound by the
// envelope itself).
func record(ws, alias, sampleID string) string { return ws + "/" + alias + "/" + sampleID }

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(pk), "sk": str(sk)}
}
