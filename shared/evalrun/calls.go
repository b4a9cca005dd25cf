package evalrun

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Call is the record of one provider call made for an item — its answer,
// sealed, and what it cost — written in the same transaction that settles
// the call's spend. A worker that takes over an item after a crash reuses
// the calls already made instead of paying for them again, and the run's
// spend always equals the sum of its calls.
type Call struct {
	Index int64  `dynamodbav:"index"`
	Role  string `dynamodbav:"role"` // "baseline", "candidate", "judge#1", …
	Model string `dynamodbav:"model"`
	// Sealed is the answer text, sealed under the org's data key (purpose
	// "eval-output", record CallRecord(run, index, role)).
	Sealed           string `dynamodbav:"sealed"`
	CostNano         int64  `dynamodbav:"cost_nano"`
	PromptTokens     int64  `dynamodbav:"tokens_in"`
	CompletionTokens int64  `dynamodbav:"tokens_out"`
	LatencyMS        int64  `dynamodbav:"latency_ms"`
}

// PurposeOutput is the secrets purpose of a call's sealed answer.
const PurposeOutput = "eval-output"

// CallRecord binds a sealed answer to its run, item and role, so it opens
// nowhere else.
func CallRecord(run string, index int64, role string) string {
	return fmt.Sprintf("%s/%d/%s", run, index, role)
}

func callSKPrefix(index int64) string { return fmt.Sprintf("CALL#%06d#", index) }

// CallWrite is the put of c, to settle with the call. It is unconditional:
// the item's lease keeps two workers from making the same call at once.
// Its TTL removes records of items never recorded (a run stopped midway).
func (s *Store) CallWrite(org, run string, c Call) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(c)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode call: %w", err)
	}
	item["pk"], item["sk"] = str(runPK(org, run)), str(callSKPrefix(c.Index)+c.Role)
	item["expires_at"] = num(s.clock().Add(7 * 24 * time.Hour).Unix())
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: item}}, nil
}

// Calls returns the calls already made for item index, by role.
func (s *Store) Calls(ctx context.Context, db DB, org, run string, index int64) (map[string]Call, error) {
	list, err := queryAll[Call](ctx, db, s.prefixQuery(org, run, callSKPrefix(index)), "read calls")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Call, len(list))
	for _, c := range list {
		out[c.Role] = c
	}
	return out, nil
}
