package token

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Attribute names of the org's token record. hash and valid_until are
// shared with the retention job, which purges expired tokens by them.
const (
	attrName           = "name"
	attrPrefix         = "prefix"
	attrWorkspace      = "workspace"
	attrMember         = "member"
	attrScopes         = "scopes"
	attrCreated        = "created_at"  // S, RFC 3339
	attrValidUntil     = "valid_until" // N, unix seconds
	attrHash           = "hash"        // S, auth.Hash of the current secret
	attrCapNano        = "cap_nano"
	attrRPM            = "rpm"
	attrTPM            = "tpm"
	attrLastUsed       = "last_used_at"     // S RFC 3339 (N unix accepted)
	attrRevoked        = "revoked_at"       // S, RFC 3339
	attrPrevHash       = "prev_hash"        // S, the secret the last rotation replaced
	attrPrevValidUntil = "prev_valid_until" // N, unix seconds: end of its grace
	// attrPending marks a rotation whose new secret has not been handed
	// out yet: while it is set, prev_hash is the secret the caller holds
	// and hash one nobody has seen (see rotate.go).
	attrPending = "rotation_pending" // BOOL
)

// skPrefix starts the sort key of every token record in an org.
const skPrefix = "TOKEN#"

func orgPK(org string) string    { return "ORG#" + org }
func recordSK(tok string) string { return skPrefix + tok }

// record is the org's item for one token, hashes included; it never
// leaves the package (Token is its public view).
type record struct {
	ID, Name, Prefix, Workspace, Member string
	Scopes                              []string
	Created, ValidUntil                 time.Time
	Hash                                string
	CapNano, RPM, TPM                   int64
	LastUsed, Revoked                   time.Time
	PrevHash                            string
	PrevValidUntil                      time.Time
	Pending                             bool
}

func s(v string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: v} }

func n(v int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func unix(t time.Time) *types.AttributeValueMemberN { return n(t.Unix()) }

func rfc3339(t time.Time) *types.AttributeValueMemberS { return s(t.UTC().Format(time.RFC3339)) }

func recordKey(org, tok string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": s(orgPK(org)), "sk": s(recordSK(tok))}
}

// item encodes a new record (Create writes only fresh ones; later changes
// are updates of single attributes).
func (r *record) item(org string) map[string]types.AttributeValue {
	it := recordKey(org, r.ID)
	it[attrName] = s(r.Name)
	it[attrPrefix] = s(r.Prefix)
	it[attrWorkspace] = s(r.Workspace)
	it[attrScopes] = &types.AttributeValueMemberSS{Value: r.Scopes}
	it[attrCreated] = rfc3339(r.Created)
	it[attrValidUntil] = unix(r.ValidUntil)
	it[attrHash] = s(r.Hash)
	if r.Member != "" {
		it[attrMember] = s(r.Member)
	}
	for k, v := range map[string]int64{attrCapNano: r.CapNano, attrRPM: r.RPM, attrTPM: r.TPM} {
		if v != 0 {
			it[k] = n(v)
		}
	}
	return it
}

// decodeRecord reads an org token record. A record missing what every
// record has is Internal: it was not written by this package.
func decodeRecord(it map[string]types.AttributeValue) (*record, error) {
	str := func(k string) string {
		if v, ok := it[k].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	num := func(k string) int64 {
		if v, ok := it[k].(*types.AttributeValueMemberN); ok {
			x, _ := strconv.ParseInt(v.Value, 10, 64)
			return x
		}
		return 0
	}
	when := func(k string) time.Time {
		switch v := it[k].(type) {
		case *types.AttributeValueMemberS:
			t, _ := time.Parse(time.RFC3339, v.Value)
			return t.UTC()
		case *types.AttributeValueMemberN:
			if x, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
				return time.Unix(x, 0).UTC()
			}
		}
		return time.Time{}
	}
	r := &record{
		ID: strings.TrimPrefix(str("sk"), skPrefix), Name: str(attrName), Prefix: str(attrPrefix),
		Workspace: str(attrWorkspace), Member: str(attrMember),
		Created: when(attrCreated), ValidUntil: when(attrValidUntil), Hash: str(attrHash),
		CapNano: num(attrCapNano), RPM: num(attrRPM), TPM: num(attrTPM),
		LastUsed: when(attrLastUsed), Revoked: when(attrRevoked),
		PrevHash: str(attrPrevHash), PrevValidUntil: when(attrPrevValidUntil),
	}
	if ss, ok := it[attrScopes].(*types.AttributeValueMemberSS); ok {
		r.Scopes = ss.Value
	}
	if b, ok := it[attrPending].(*types.AttributeValueMemberBOOL); ok {
		r.Pending = b.Value
	}
	if r.ID == "" || r.Workspace == "" || r.ValidUntil.IsZero() {
		return nil, apperr.New(apperr.Internal, CodeCorrupt, "internal error")
	}
	return r, nil
}
