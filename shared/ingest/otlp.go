package ingest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// The OTLP/HTTP JSON shapes this endpoint reads (ExportTraceServiceRequest).
// Fields it has no use for are ignored, as OTLP requires of receivers.
type exportRequest struct {
	ResourceSpans []resourceSpans `json:"resourceSpans"`
}

type resourceSpans struct {
	Resource struct {
		Attributes []keyValue `json:"attributes"`
	} `json:"resource"`
	ScopeSpans []scopeSpans `json:"scopeSpans"`
}

type scopeSpans struct {
	// Spans are decoded one by one: a malformed span is that span's
	// rejection, not the export's.
	Spans []json.RawMessage `json:"spans"`
}

type span struct {
	TraceID    string     `json:"traceId"`
	SpanID     string     `json:"spanId"`
	Start      otlpInt    `json:"startTimeUnixNano"`
	End        otlpInt    `json:"endTimeUnixNano"`
	Attributes []keyValue `json:"attributes"`
	Status     struct {
		Code statusCode `json:"code"`
	} `json:"status"`
}

type keyValue struct {
	Key   string   `json:"key"`
	Value anyValue `json:"value"`
}

type anyValue struct {
	StringValue *string  `json:"stringValue"`
	IntValue    *otlpInt `json:"intValue"`
	DoubleValue *float64 `json:"doubleValue"`
	BoolValue   *bool    `json:"boolValue"`
}

// otlpInt is a 64-bit integer, which OTLP JSON writes as a decimal string
// and some exporters as a number.
type otlpInt int64

func (n *otlpInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return err
	}
	*n = otlpInt(v)
	return nil
}

// statusCode is a span's status: an integer, or the enum's name.
type statusCode int

const statusError statusCode = 2

func (c *statusCode) UnmarshalJSON(b []byte) error {
	var name string
	if json.Unmarshal(b, &name) == nil {
		if name == "STATUS_CODE_ERROR" {
			*c = statusError
		}
		return nil
	}
	var v int
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = statusCode(v)
	return nil
}

// GenAI semantic-convention attributes, newest name first where two exist.
const (
	attrProvider      = "gen_ai.provider.name"
	attrSystem        = "gen_ai.system"
	attrRequestModel  = "gen_ai.request.model"
	attrResponseModel = "gen_ai.response.model"
	attrOperation     = "gen_ai.operation.name"
	attrInputTokens   = "gen_ai.usage.input_tokens"
	attrPromptTokens  = "gen_ai.usage.prompt_tokens"
	attrOutputTokens  = "gen_ai.usage.output_tokens"
	attrCompletion    = "gen_ai.usage.completion_tokens"
	attrCacheRead     = "gen_ai.usage.cache_read_input_tokens"
	attrErrorType     = "error.type"
	attrFeature       = "tollgate.feature"
	tagPrefix         = "tollgate.tag."
	// operationTag records gen_ai.operation.name (chat, embeddings, …) as a tag.
	operationTag = "operation"
)

// attrs is one span's attributes over its resource's: the span wins.
type attrs map[string]anyValue

func (a attrs) add(kvs []keyValue) {
	for _, kv := range kvs {
		a[kv.Key] = kv.Value
	}
}

func (a attrs) str(keys ...string) string {
	for _, k := range keys {
		if v, ok := a[k]; ok && v.StringValue != nil {
			return *v.StringValue
		}
	}
	return ""
}

// int reads the first present key as a whole number, from an int, an
// integral double or a decimal string.
func (a attrs) int(param string, keys ...string) (*int64, *apperr.Error) {
	for _, k := range keys {
		v, ok := a[k]
		if !ok {
			continue
		}
		var n int64
		switch {
		case v.IntValue != nil:
			n = int64(*v.IntValue)
		case v.DoubleValue != nil && *v.DoubleValue == math.Trunc(*v.DoubleValue) && math.Abs(*v.DoubleValue) < 1e15:
			n = int64(*v.DoubleValue)
		case v.StringValue != nil:
			x, err := strconv.ParseInt(*v.StringValue, 10, 64)
			if err != nil {
				return nil, reject("invalid_field", param, k+" must be an integer")
			}
			n = x
		default:
			return nil, reject("invalid_field", param, k+" must be an integer")
		}
		return &n, nil
	}
	return nil, nil
}

// modelCall reports whether a span records a call to a model. Spans of
// other work (HTTP, databases, workflow steps) carry no gen_ai attribute;
// agent and tool spans do, but their model calls are spans of their own,
// and counting both would count the tokens twice.
func (a attrs) modelCall() bool {
	switch a.str(attrOperation) {
	case "execute_tool", "create_agent", "invoke_agent":
		return false
	}
	for _, k := range []string{attrProvider, attrSystem, attrRequestModel, attrResponseModel,
		attrInputTokens, attrPromptTokens, attrOutputTokens, attrCompletion} {
		if _, ok := a[k]; ok {
			return true
		}
	}
	return false
}

// spanEvent maps a model-call span to an event; the event then passes the
// same checks as one sent to /v1/traces. Prompt and completion attributes
// (gen_ai.prompt.*, gen_ai.completion.*) are never read: spans carry no
// consent to keep text.
func spanEvent(sp *span, a attrs) (*Event, *apperr.Error) {
	ev := &Event{
		Provider: a.str(attrProvider, attrSystem),
		Model:    a.str(attrResponseModel, attrRequestModel),
		Feature:  a.str(attrFeature),
		Status:   "ok",
	}
	traceID, okT := otlpID(sp.TraceID, 16)
	spanID, okS := otlpID(sp.SpanID, 8)
	if !okT || !okS {
		return nil, reject("invalid_id", "spanId", "traceId and spanId must be 16- and 8-byte hex identifiers")
	}
	ev.ID = traceID + ":" + spanID
	if sp.Start > 0 {
		ev.Time = time.Unix(0, int64(sp.Start)).UTC().Format(time.RFC3339Nano)
	}
	if sp.End > 0 {
		if sp.End < sp.Start {
			return nil, reject("out_of_range", "endTimeUnixNano", "a span cannot end before it starts")
		}
		ms := int64(sp.End-sp.Start) / int64(time.Millisecond)
		ev.LatencyMS = &ms
	}
	if sp.Status.Code == statusError {
		ev.Status = "error"
		if code := a.str(attrErrorType); code != "" {
			ev.ErrorCode = truncate(code, maxErrorLen)
		}
	}
	var rej *apperr.Error
	if ev.TokensIn, rej = a.int("tokens_in", attrInputTokens, attrPromptTokens); rej != nil {
		return nil, rej
	}
	if ev.TokensOut, rej = a.int("tokens_out", attrOutputTokens, attrCompletion); rej != nil {
		return nil, rej
	}
	if ev.TokensCached, rej = a.int("tokens_cached", attrCacheRead); rej != nil {
		return nil, rej
	}
	for k, v := range a {
		if name, ok := strings.CutPrefix(k, tagPrefix); ok && v.StringValue != nil {
			if ev.Tags == nil {
				ev.Tags = map[string]string{}
			}
			ev.Tags[name] = *v.StringValue
		}
	}
	if op := a.str(attrOperation); op != "" {
		if ev.Tags == nil {
			ev.Tags = map[string]string{}
		}
		if _, set := ev.Tags[operationTag]; !set {
			ev.Tags[operationTag] = op
		}
	}
	return ev, nil
}

// otlpID returns an OTLP identifier of n bytes as lower-case hex. OTLP JSON
// writes them as hex; exporters built on the generic protobuf JSON mapping
// write base64, which is accepted too.
func otlpID(s string, n int) (string, bool) {
	if len(s) == 2*n {
		if b, err := hex.DecodeString(s); err == nil && !allZero(b) {
			return hex.EncodeToString(b), true
		}
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == n && !allZero(b) {
		return hex.EncodeToString(b), true
	}
	return "", false
}

func allZero(b []byte) bool { return len(bytes.Trim(b, "\x00")) == 0 }

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
