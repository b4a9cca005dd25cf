package shadow

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// Put stores s as a new sample of (s.Workspace, s.Alias) in org and returns
// it with its ID and time set; Sample.Key is then its reference.
//
// The messages and output are sealed together under the org's data key,
// bound to "<ws>/<alias>/<id>", and the item expires Hold after now. Refused
// without storing anything: a sample holding a credential shape (Invalid,
// CodeCredential), one whose sealed document would pass MaxSealedBytes
// (TooLarge, CodeTooLarge), and malformed ones (Invalid). A table failure
// is Unavailable with a Retry-After; the gateway drops the sample either way.
func (s *Store) Put(ctx context.Context, db DB, sealer Sealer, org string, smp Sample) (Sample, error) {
	if err := checkScope(org, smp.Workspace, smp.Alias); err != nil {
		return Sample{}, err
	}
	if sealer.Org() != org {
		return Sample{}, apperr.New(apperr.Internal, "sealer_org_mismatch", "internal error")
	}
	if err := checkSample(smp); err != nil {
		return Sample{}, err
	}
	plain, err := document{Messages: smp.Messages, Output: smp.Output}.encode()
	if err != nil {
		// json's error could quote a value; say only that it failed.
		return Sample{}, apperr.Wrap(errors.New("sample document does not encode"), apperr.Internal,
			"shadow_encode_failed", "internal error")
	}
	if sealedLen(len(plain)) > MaxSealedBytes {
		return Sample{}, tooLarge(len(plain))
	}
	if credential(smp) {
		return Sample{}, invalid(CodeCredential, "messages",
			"the sample holds a credential-shaped value and is not stored")
	}

	now := s.clock()
	smp.ID = id.New(IDPrefix)
	if smp.Time.IsZero() {
		smp.Time = now
	}
	smp.Time = smp.Time.UTC()
	sealed, err := sealer.Seal(ctx, purpose, record(smp.Workspace, smp.Alias, smp.ID), plain)
	if err != nil {
		return Sample{}, fmt.Errorf("seal shadow sample %s: %w", smp.ID, err)
	}
	if len(sealed) > MaxSealedBytes {
		return Sample{}, tooLarge(len(plain))
	}
	it := item{
		PK: samplePK(org, smp.Workspace, smp.Alias), SK: smp.Key(), ID: smp.ID,
		Workspace: smp.Workspace, Alias: smp.Alias, Model: smp.Model, Time: smp.Time,
		CostNano: smp.CostNano, PromptTokens: smp.PromptTokens, CompletionTokens: smp.CompletionTokens,
		Sealed: sealed, ExpiresAt: now.Add(s.hold).Unix(),
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return Sample{}, apperr.Wrap(fmt.Errorf("encode shadow sample %s: %w", smp.ID, err), apperr.Internal,
			"shadow_encode_failed", "internal error")
	}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: av,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) { // a fresh random ID collided: never in practice
		return Sample{}, apperr.Wrap(err, apperr.Conflict, "shadow_sample_exists", "retry")
	}
	if err != nil {
		return Sample{}, unavailable(fmt.Sprintf("write shadow sample %s", smp.ID), err)
	}
	return smp, nil
}

func tooLarge(n int) error {
	return apperr.Wrap(fmt.Errorf("document of %d bytes seals to over %d", n, MaxSealedBytes),
		apperr.TooLarge, CodeTooLarge, "the sample is too large to hold")
}
