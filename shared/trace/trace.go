package trace

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/tollgate-dev/tollgate/shared/scrub"
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
	Unpriced    bool              `dynamodbav:"unpriced"`       // the model has no price: cost 0, flagged
	PriceTable  string            `dynamodbav:"price_table"`
	LatencyMS   int64             `dynamodbav:"latency_ms"`
	TTFTMS      int64             `dynamodbav:"ttft_ms,omitempty"`
	Attempts    int               `dynamodbav:"attempts"`
	Feature     string            `dynamodbav:"feature,omitempty"` // the caller's task or feature label
	Tags        map[string]string `dynamodbav:"tags,omitempty"`
	// SealedContent is present only for opted-in calls in workspaces that
	// allow it; RedactAt (unix seconds) says when retention removes it.
	SealedContent string `dynamodbav:"sealed_content,omitempty"`
	RedactAt      int64  `dynamodbav:"redact_at,omitempty"`
}

// skTime is fixed-width, so sort keys order by time as strings.
const skTime = "2006-01-02T15:04:05.000000000Z"

// PK is the trace's partition.
func (t *Trace) PK() string {
	h := fnv.New32a()
	h.Write([]byte(t.ID))
	return shardPK(t.Org, t.Day(), int(h.Sum32()%Shards))
}

// SK orders traces by time within a partition.
func (t *Trace) SK() string { return t.Time.UTC().Format(skTime) + "#" + t.ID }

// Day is the trace's UTC day, yyyymmdd.
func (t *Trace) Day() string { return t.Time.UTC().Format("20060102") }

func shardPK(org, day string, shard int) string {
	return fmt.Sprintf("ORG#%s#TR#%s#%d", org, day, shard)
}

// ValidID reports whether s can be a trace or event ID: 1-64 characters of
// [A-Za-z0-9._:-], so it is safe in a sort key and in a log line.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 || scrub.Contains(s) { // an ID is stored in clear: never a credential
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}
