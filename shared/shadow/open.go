package shadow

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// Open reads the sample with reference ref (a Ref.Key) of (ws, alias) and
// opens its text.
//
// A sample that is gone (scored and deleted, expired, or never there) is
// NotFound with CodeNotFound; a ref List or Put could not have made is
// Invalid (CodeInvalidRef). A sealed document that was altered or moved from
// another sample fails its seal's authentication: Internal CodeUnreadable
// with secrets.ErrUnreadable in the chain.
func (s *Store) Open(ctx context.Context, db DB, opener Opener, org, ws, alias, ref string) (Sample, error) {
	if err := checkScope(org, ws, alias); err != nil {
		return Sample{}, err
	}
	_, sampleID, ok := parseRef(ref)
	if !ok {
		return Sample{}, invalidRef()
	}
	if opener.Org() != org {
		return Sample{}, apperr.New(apperr.Internal, "opener_org_mismatch", "internal error")
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table),
		Key: key(samplePK(org, ws, alias), ref), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Sample{}, unavailable("read shadow sample "+sampleID, err)
	}
	if out.Item == nil {
		return Sample{}, notFound()
	}
	var it item
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return Sample{}, corrupt(sampleID, "item does not decode: %w", err)
	}
	if it.expired(s.clock()) {
		return Sample{}, notFound()
	}
	if it.ID != sampleID || it.Workspace != ws || it.Alias != alias || it.Sealed == "" {
		return Sample{}, corrupt(sampleID, "item does not match its key")
	}
	plain, err := opener.Open(ctx, purpose, record(ws, alias, sampleID), it.Sealed)
	if errors.Is(err, secrets.ErrUnreadable) {
		return Sample{}, apperr.Wrap(fmt.Errorf("shadow sample %s: %w", sampleID, err), apperr.Internal,
			CodeUnreadable, "internal error")
	}
	if err != nil {
		return Sample{}, fmt.Errorf("open shadow sample %s: %w", sampleID, err)
	}
	doc, ok := decodeDocument(plain)
	if !ok {
		// The decoder's error could quote the text; say only which sample.
		return Sample{}, corrupt(sampleID, "sealed document does not decode")
	}
	return Sample{ID: it.ID, Workspace: ws, Alias: alias, Model: it.Model, Time: it.Time,
		Messages: doc.Messages, Output: doc.Output, CostNano: it.CostNano,
		PromptTokens: it.PromptTokens, CompletionTokens: it.CompletionTokens}, nil
}
