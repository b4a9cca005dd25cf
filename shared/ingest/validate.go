package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// policy is what deciding an event's fate needs: who sends it, the rules
// of its workspace, and the server's time.
type policy struct {
	principal *auth.Principal
	settings  workspace.Settings
	prices    *pricing.Table
	now       time.Time
}

// pending is a valid event on its way to the store.
type pending struct {
	tr *trace.Trace
	// content is the text to seal before writing; nil when none is kept.
	content []byte
	flags   []string
	// feedback is the event's feedback_score, recorded after the trace.
	feedback *float64
}

// check validates ev and turns it into a trace of the caller's workspace,
// priced, with its text either kept for sealing or dropped.
func (p *policy) check(ev *Event) (*pending, *apperr.Error) {
	switch {
	case ev.ID == "":
		return nil, reject("missing_id", "id", "id is required")
	case !trace.ValidID(ev.ID):
		return nil, reject("invalid_id", "id", "id must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'")
	}
	at, rej := p.checkTime(ev.Time)
	if rej != nil {
		return nil, rej
	}
	if ev.Workspace != "" && ev.Workspace != p.principal.Workspace {
		// The same answer whether or not that workspace exists anywhere.
		return nil, reject("workspace_forbidden", "workspace", "this API key cannot write to that workspace")
	}
	provider := normalizeProvider(ev.Provider)
	status := ev.Status
	if status == "" {
		status = trace.StatusOK
	}
	switch {
	case provider == "":
		return nil, reject("missing_provider", "provider", "provider is required")
	case !validProvider(provider):
		return nil, reject("invalid_field", "provider", fmt.Sprintf("provider must be 1-%d characters of a-z, 0-9, '.', '_' or '-'", maxProviderLen))
	case strings.TrimSpace(ev.Model) == "":
		return nil, reject("missing_model", "model", "model is required")
	case !validLabel(ev.Model, maxLabelLen):
		return nil, reject("invalid_field", "model", fmt.Sprintf("model must be at most %d bytes without control characters", maxLabelLen))
	case !validLabel(ev.Alias, maxLabelLen):
		return nil, reject("invalid_field", "alias", fmt.Sprintf("alias must be at most %d bytes without control characters", maxLabelLen))
	case !validLabel(ev.Feature, maxLabelLen):
		return nil, reject("invalid_field", "feature", fmt.Sprintf("feature must be at most %d bytes without control characters", maxLabelLen))
	case status != trace.StatusOK && status != trace.StatusError:
		return nil, reject("invalid_status", "status", `status must be "ok" or "error"`)
	case !validLabel(ev.ErrorCode, maxErrorLen):
		return nil, reject("invalid_field", "error_code", fmt.Sprintf("error_code must be at most %d bytes without control characters", maxErrorLen))
	}
	if rej := checkNumbers(ev); rej != nil {
		return nil, rej
	}
	if rej := checkTags(ev.Tags); rej != nil {
		return nil, rej
	}
	if rej := checkFeedback(ev); rej != nil {
		return nil, rej
	}
	tr := &trace.Trace{
		ID: ev.ID, Org: p.principal.Org, Workspace: p.principal.Workspace, TokenID: p.principal.TokenID,
		Source: "ingest", Time: at, Alias: ev.Alias, Provider: provider, Model: ev.Model, Status: status,
		ErrorCode: ev.ErrorCode, TokensIn: val(ev.TokensIn), TokensOut: val(ev.TokensOut), TokensCache: val(ev.TokensCached),
		LatencyMS: val(ev.LatencyMS), TTFTMS: val(ev.TTFTMS), Attempts: 1, Feature: ev.Feature, Tags: ev.Tags,
	}
	out := &pending{tr: tr, feedback: ev.FeedbackScore}
	p.price(ev, out)
	if rej := p.keepContent(ev, out); rej != nil {
		return nil, rej
	}
	return out, nil
}

// checkTime parses the event's time and holds it to the ingestion window
// and to the workspace's retention (an older trace would be expired on arrival).
func (p *policy) checkTime(s string) (time.Time, *apperr.Error) {
	if s == "" {
		return time.Time{}, reject("missing_time", "time", "time is required")
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, reject("invalid_time", "time", "time must be an RFC 3339 timestamp")
	}
	at = at.UTC()
	retention := time.Duration(p.settings.RetentionDays) * 24 * time.Hour
	if at.Before(p.now.Add(-MaxPast)) || at.After(p.now.Add(MaxFuture)) || !at.Add(retention).After(p.now) {
		return time.Time{}, reject("timestamp_out_of_range", "time",
			"time must be within the last 7 days (and the workspace's retention) and at most 5 minutes ahead")
	}
	return at, nil
}

// checkNumbers refuses negative and absurd counts, which are unit mistakes.
func checkNumbers(ev *Event) *apperr.Error {
	for _, f := range []struct {
		name string
		v    *int64
		max  int64
	}{
		{"tokens_in", ev.TokensIn, maxTokens}, {"tokens_out", ev.TokensOut, maxTokens},
		{"tokens_cached", ev.TokensCached, maxTokens}, {"cost_nano", ev.CostNano, maxCost},
		{"latency_ms", ev.LatencyMS, maxLatency}, {"ttft_ms", ev.TTFTMS, maxLatency},
	} {
		if f.v != nil && (*f.v < 0 || *f.v > f.max) {
			return reject("out_of_range", f.name, fmt.Sprintf("%s must be between 0 and %d", f.name, f.max))
		}
	}
	if val(ev.TokensCached) > val(ev.TokensIn) {
		return reject("out_of_range", "tokens_cached", "tokens_cached cannot exceed tokens_in")
	}
	if ev.LatencyMS != nil && val(ev.TTFTMS) > *ev.LatencyMS {
		return reject("out_of_range", "ttft_ms", "ttft_ms cannot exceed latency_ms")
	}
	return nil
}

// checkTags holds tags to the gateway's metadata limits. Keys may not hold
// '=': aggregates and queries name a tag as key=value.
func checkTags(tags map[string]string) *apperr.Error {
	if len(tags) > MaxTags {
		return reject("too_many_tags", "tags", fmt.Sprintf("at most %d tags are allowed", MaxTags))
	}
	for k, v := range tags {
		if k == "" || len(k) > MaxTagKeyLen || strings.Contains(k, "=") || !validLabel(k, MaxTagKeyLen) || !validLabel(v, MaxTagValueLen) {
			return reject("invalid_tag", "tags", fmt.Sprintf(
				"tag keys must be 1-%d bytes without '=', values at most %d bytes, neither with control characters", MaxTagKeyLen, MaxTagValueLen))
		}
	}
	return nil
}

// price sets the event's cost: as reported, else from the org's price
// table. A model the table does not know is recorded at zero and flagged,
// never silently priced as free.
func (p *policy) price(ev *Event, out *pending) {
	tr := out.tr
	if ev.CostNano != nil {
		tr.CostNano, tr.PriceTable = *ev.CostNano, "reported"
		return
	}
	price, ok := p.prices.Lookup(tr.Provider, tr.Model)
	if !ok {
		tr.Unpriced = true
		out.flags = append(out.flags, FlagUnpricedModel)
		return
	}
	tr.PriceTable = pricing.Version
	tr.CostNano = int64(price.Cost(chat.Usage{
		PromptTokens: tr.TokensIn, CompletionTokens: tr.TokensOut,
		PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: tr.TokensCache},
	}))
}

// keepContent decides the fate of the event's text: kept (to be sealed)
// only when the event opts in, the workspace allows it and its redaction
// date is still ahead; otherwise dropped and flagged.
func (p *policy) keepContent(ev *Event, out *pending) *apperr.Error {
	if ev.Content == nil {
		return nil
	}
	if !textPart(ev.Content.Prompt) || !textPart(ev.Content.Response) {
		return reject("invalid_content", "content", "content.prompt and content.response must be JSON strings, arrays or objects")
	}
	redactAt := out.tr.Time.Add(time.Duration(p.settings.RedactAfterDays) * 24 * time.Hour)
	if !ev.StoreContent || !p.settings.StoreContentAllowed || !redactAt.After(p.now) {
		out.flags = append(out.flags, FlagContentDropped)
		return nil
	}
	doc, err := json.Marshal(ev.Content)
	if err != nil {
		return reject("invalid_content", "content", "content could not be encoded")
	}
	if len(doc) > secrets.MaxPlaintext {
		return reject("content_too_large", "content", fmt.Sprintf("content must be at most %d bytes", secrets.MaxPlaintext))
	}
	out.content = doc
	out.tr.RedactAt = redactAt.Unix()
	return nil
}

// textPart reports whether a content part is absent or a string, array or object.
func textPart(raw json.RawMessage) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return true
	}
	return raw[0] == '"' || raw[0] == '[' || raw[0] == '{'
}

// validLabel reports whether s is at most max bytes with no control characters.
func validLabel(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func validProvider(s string) bool {
	if len(s) > maxProviderLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// normalizeProvider maps the names instrumentation libraries use (GenAI
// semantic conventions, OpenLLMetry's capitalized names) to the provider
// names of the price table.
func normalizeProvider(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "aws.bedrock", "aws_bedrock", "amazon_bedrock":
		return "bedrock"
	case "gcp.gemini", "gcp.vertex_ai", "gcp.gen_ai", "vertex_ai", "vertexai", "google", "google_genai":
		return "gemini"
	case "azure.ai.openai", "az.ai.openai", "azure_openai", "azure.ai.inference":
		return "azure"
	}
	return s
}

func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
