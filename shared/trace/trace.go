package trace

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Shards is the number of partitions a day of one org's traces spreads over.
const Shards = 16

// Status of a call.
const (
	StatusOK          = "ok"
	StatusError       = "error"        // the provider failed
	StatusClientAbort = "client_abort" // the client went away mid-stream
)

// Trace is one call's metadata. Money is nano-USD; durations milliseconds.
type Trace struct {
	ID          string            `dynamodbav:"trace_id"`
	Org         string            `dynamodbav:"org"`
	Workspace   string            `dynamodbav:"workspace"`
	TokenID     string            `dynamodbav:"token_id,omitempty"`
	Source      string            `dynamodbav:"source"` // "gateway" or "ingest"
	Time        time.Time         `dynamodbav:"-"`
	Alias       string            `dynamodbav:"alias,omitempty"`
	Provider    string            `dynamodbav:"provider"`
	Model       string            `dynamodbav:"model"`
	Stream      bool              `dynamodbav:"stream"`
	Status      string            `dynamodbav:"status"`
	ErrorCode   string            `dynamodbav:"error_code,omitempty"`
	TokensIn    int64             `dynamodbav:"tokens_in"`
	TokensOut   int64             `dynamodbav:"tokens_out"`
	TokensCache int64             `dynamodbav:"tokens_cached"`
	CostNano    int64             `dynamodbav:"cost_nano"`
	Estimated   bool              `dynamodbav:"cost_estimated"` // usage never arrived: billed the estimate
	PriceTable  string            `dynamodbav:"price_table"`
	LatencyMS   int64             `dynamodbav:"latency_ms"`
	TTFTMS      int64             `dynamodbav:"ttft_ms,omitempty"`
	Attempts    int               `dynamodbav:"attempts"`
	Tags        map[string]string `dynamodbav:"tags,omitempty"`
	// SealedContent is present only for opted-in calls in workspaces that
	// allow it; RedactAt says when the retention job removes it.
	SealedContent string `dynamodbav:"sealed_content,omitempty"`
	RedactAt      int64  `dynamodbav:"redact_at,omitempty"`
}

// PK is the trace's partition.
func (t *Trace) PK() string {
	h := fnv.New32a()
	h.Write([]byte(t.ID))
	return fmt.Sprintf("ORG#%s#TR#%s#%d", t.Org, t.Time.UTC().Format("20060102"), h.Sum32()%Shards)
}

// SK orders traces by time within a partition.
func (t *Trace) SK() string { return t.Time.UTC().Format(time.RFC3339Nano) + "#" + t.ID }

// Put returns the write of t, expiring after retention, as a transaction
// item so it commits with the call's budget settlement.
func (t *Trace) Put(table string, retention time.Duration) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(t)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode trace: %w", err)
	}
	item["pk"] = &types.AttributeValueMemberS{Value: t.PK()}
	item["sk"] = &types.AttributeValueMemberS{Value: t.SK()}
	item["time"] = &types.AttributeValueMemberS{Value: t.Time.UTC().Format(time.RFC3339Nano)}
	item["expires_at"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Time.Add(retention).Unix(), 10)}
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: item}}, nil
}
