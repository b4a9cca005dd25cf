package token

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/id"
)

// viewAttrs are the attributes List and Get read: everything but the
// hashes, which are not even fetched for a listing.
var viewAttrs = []string{
	"sk", attrName, attrPrefix, attrWorkspace, attrMember, attrScopes, attrCreated, attrValidUntil,
	attrCapNano, attrRPM, attrTPM, attrLastUsed, attrRevoked, attrPrevValidUntil, attrPending,
}

// projection renders viewAttrs with placeholders, since several of them
// (name, hash) are DynamoDB reserved words.
func projection() (string, map[string]string) {
	names := make(map[string]string, len(viewAttrs))
	refs := make([]string, len(viewAttrs))
	for i, a := range viewAttrs {
		ref := "#a" + strconv.Itoa(i)
		names[ref], refs[i] = a, ref
	}
	return strings.Join(refs, ", "), names
}

// List returns the org's tokens, newest first, including expired and
// revoked ones until the retention job purges them, so people can see
// why a key stopped working.
func (m *Manager) List(ctx context.Context, org OrgDB, orgID string) ([]Token, error) {
	if !id.Valid(id.Org, orgID) {
		return nil, errOrg
	}
	proj, names := projection()
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(m.cfg.Table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :tok)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(orgPK(orgID)), ":tok": s(skPrefix)},
		ProjectionExpression:      aws.String(proj),
		ExpressionAttributeNames:  names,
	}
	now := m.now()
	var out []Token
	for p := dynamodb.NewQueryPaginator(org, in); p.HasMorePages(); {
		cctx, cancel := m.call(ctx)
		page, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			return nil, unavailable("list tokens", err)
		}
		for _, it := range page.Items {
			r, err := decodeRecord(it)
			if err != nil {
				return nil, err
			}
			out = append(out, r.view(now))
		}
	}
	slices.SortFunc(out, func(a, b Token) int {
		return cmp.Or(b.Created.Compare(a.Created), strings.Compare(b.ID, a.ID))
	})
	return out, nil
}

// Get returns one of the org's tokens. Another org's token is NotFound like
// a missing one: the org-scoped client cannot read it, and the answer must
// not say whether it exists.
func (m *Manager) Get(ctx context.Context, org OrgDB, orgID, tokID string) (Token, error) {
	r, err := m.load(ctx, org, orgID, tokID, true)
	if err != nil {
		return Token{}, err
	}
	return r.view(m.now()), nil
}

// load reads a record with a consistent read; viewOnly leaves the hashes
// out, for reads that only show it.
func (m *Manager) load(ctx context.Context, org OrgDB, orgID, tokID string, viewOnly bool) (*record, error) {
	if !id.Valid(id.Org, orgID) {
		return nil, errOrg
	}
	if !id.Valid(id.Token, tokID) {
		return nil, errNotFound
	}
	in := &dynamodb.GetItemInput{
		TableName:      aws.String(m.cfg.Table),
		Key:            recordKey(orgID, tokID),
		ConsistentRead: aws.Bool(true),
	}
	if viewOnly {
		proj, names := projection()
		in.ProjectionExpression, in.ExpressionAttributeNames = aws.String(proj), names
	}
	ctx, cancel := m.call(ctx)
	defer cancel()
	out, err := org.GetItem(ctx, in)
	if err != nil {
		return nil, unavailable("read token", err)
	}
	if out.Item == nil {
		return nil, errNotFound
	}
	return decodeRecord(out.Item)
}
