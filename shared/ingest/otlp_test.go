package ingest_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// exportBase is the start of the fixture's first span; loadExport moves
// the whole export so that it starts at a given time.
const exportBase = 1763900000000000000

// loadExport reads an OTLP JSON fixture with its span times moved to start at.
func loadExport(t *testing.T, name string, start time.Time) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	must(t, err)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	must(t, dec.Decode(&doc))
	shift := start.UnixNano() - exportBase
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "startTimeUnixNano" || k == "endTimeUnixNano" {
					n, err := strconv.ParseInt(c.(string), 10, 64)
					must(t, err)
					x[k] = strconv.FormatInt(n+shift, 10)
					continue
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	out, err := json.Marshal(doc)
	must(t, err)
	return out
}

// TestOTLPMapping posts a realistic OpenLLMetry/OpenLIT export: each model
// span becomes a trace with the GenAI conventions mapped, other spans are
// skipped, malformed model spans are reported in partialSuccess, and no
// prompt or completion attribute is kept.
func TestOTLPMapping(t *testing.T) {
	e := newEnv(t)
	start := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Millisecond)
	body := loadExport(t, "openllmetry_export.json", start)
	prices, err := pricing.NewTable(nil)
	must(t, err)
	cost := func(provider, model string, in, out, cached int64) int64 {
		p, ok := prices.Lookup(provider, model)
		if !ok {
			t.Fatalf("fixture model %s/%s has no price", provider, model)
		}
		return int64(p.Cost(chat.Usage{PromptTokens: in, CompletionTokens: out, PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: cached}}))
	}
	type want struct {
		provider, model, status, errorCode, feature string
		in, out, cached, latency, offsetMS          int64
		tags                                        map[string]string
		unpriced                                    bool
	}
	wants := map[string]want{
		"5b8efff798038103d269b633813fc60c:00f067aa0ba902b7": {provider: "openai", model: "gpt-4o-mini-2024-07-18", status: "ok", feature: "jokes",
			in: 15, out: 23, latency: 812, offsetMS: 10, tags: map[string]string{"env": "prod", "customer": "acme"}},
		"5b8efff798038103d269b633813fc60c:1a2b3c4d5e6f7081": {provider: "anthropic", model: "claude-3-5-haiku-20241022", status: "ok", feature: "jokes",
			in: 1200, out: 150, cached: 1000, latency: 2400, offsetMS: 900, tags: map[string]string{"env": "prod"}},
		"5b8efff798038103d269b633813fc60c:2b3c4d5e6f708192": {provider: "openai", model: "gpt-4o", status: "error", errorCode: "RateLimitError",
			latency: 120, offsetMS: 3400, tags: map[string]string{"env": "prod"}},
		"5b8efff798038103d269b633813fc60c:3c4d5e6f70819203": {provider: "openai", model: "text-embedding-3-small", status: "ok",
			in: 8, latency: 95, offsetMS: 3600, tags: map[string]string{"env": "prod"}, unpriced: true},
		"4bf92f3577b34da6a3ce929d0e0e4736:6f70819203142536": {provider: "openai", model: "gpt-4.1-mini", status: "ok",
			in: 42, out: 7, latency: 650, offsetMS: 4000, tags: map[string]string{"customer": "globex", "operation": "chat"}},
		"4bf92f3577b34da6a3ce929d0e0e4736:7081920314253647": {provider: "bedrock", model: "amazon.nova-lite-v1:0", status: "ok",
			in: 500, out: 60, latency: 300, offsetMS: 4700, tags: map[string]string{"operation": "chat"}},
		"0af7651916cd43dd8448eb211c80319c:a0b1c2d3e4f50617": {provider: "gemini", model: "gemini-2.5-flash", status: "ok",
			in: 2000, out: 400, latency: 900, offsetMS: 5300, tags: map[string]string{"operation": "generate_content"}},
	}

	for round, name := range []string{"first export", "replayed export"} {
		status, resp := e.post("/v1/otlp/v1/traces", bytes.NewReader(body))
		if status != 200 {
			t.Fatalf("%s: status %d: %s", name, status, resp)
		}
		var got struct {
			PartialSuccess *struct {
				RejectedSpans int64  `json:"rejectedSpans"`
				ErrorMessage  string `json:"errorMessage"`
			} `json:"partialSuccess"`
		}
		must(t, json.Unmarshal(resp, &got))
		ps := got.PartialSuccess
		if ps == nil || ps.RejectedSpans != 2 || !strings.Contains(ps.ErrorMessage, "missing_model") ||
			!strings.Contains(ps.ErrorMessage, "invalid_id") {
			t.Fatalf("%s: response %s", name, resp)
		}
		listed := byID(t, e.list(start.Add(-time.Minute), start.Add(time.Hour)))
		if len(listed) != len(wants) {
			t.Fatalf("%s (round %d): %d traces, want %d", name, round, len(listed), len(wants))
		}
		for id, w := range wants {
			tr, ok := listed[id]
			if !ok {
				t.Fatalf("%s: span %s not stored", name, id)
			}
			wantCost := int64(0)
			if !w.unpriced {
				wantCost = cost(w.provider, w.model, w.in, w.out, w.cached)
			}
			if tr.Provider != w.provider || tr.Model != w.model || tr.Status != w.status || tr.ErrorCode != w.errorCode ||
				tr.Feature != w.feature || tr.TokensIn != w.in || tr.TokensOut != w.out || tr.TokensCache != w.cached ||
				tr.LatencyMS != w.latency || !maps.Equal(tr.Tags, w.tags) || tr.Unpriced != w.unpriced || tr.CostNano != wantCost ||
				!tr.Time.Equal(start.Add(time.Duration(w.offsetMS)*time.Millisecond)) || tr.Source != "ingest" || tr.Workspace != e.ws {
				t.Fatalf("%s: span %s stored as %+v, want %+v (cost %d)", name, id, tr, w, wantCost)
			}
		}
		all := e.aggregates(start.Add(-time.Minute), start.Add(time.Hour), trace.DimAll)
		if all[""].Requests != int64(len(wants)) || all[""].Errors != 1 {
			t.Fatalf("%s: aggregates %+v", name, all)
		}
	}
	// Prompts and completions travel in span attributes; none is kept.
	if containsAny(scanTable(t), "SECRET-PROMPT-TEXT-7f3a") || strings.Contains(logs.String(), "SECRET-PROMPT-TEXT-7f3a") {
		t.Fatal("span text was stored or logged")
	}
}

// TestOTLPAllAccepted: an export with nothing to reject answers an empty
// response (exporters warn whenever partialSuccess is present).
func TestOTLPAllAccepted(t *testing.T) {
	e := newEnv(t)
	start := time.Now().UTC().Add(-time.Minute).UnixNano()
	body := `{"resourceSpans":[{"scopeSpans":[{"spans":[
		{"traceId":"11111111111111111111111111111111","spanId":"2222222222222222","startTimeUnixNano":"` + strconv.FormatInt(start, 10) + `",
		 "endTimeUnixNano":` + strconv.FormatInt(start+5e8, 10) + `,"status":{"code":"STATUS_CODE_ERROR"},
		 "attributes":[{"key":"gen_ai.system","value":{"stringValue":"openai"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
		  {"key":"gen_ai.usage.input_tokens","value":{"doubleValue":12}}]},
		{"traceId":"11111111111111111111111111111111","spanId":"3333333333333333","startTimeUnixNano":"` + strconv.FormatInt(start, 10) + `",
		 "attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}}]}]}]}]}`
	status, resp := e.post("/v1/otlp/v1/traces", strings.NewReader(body))
	if status != 200 || strings.TrimSpace(string(resp)) != "{}" {
		t.Fatalf("status %d: %s", status, resp)
	}
	listed := e.list(time.Unix(0, start).Add(-time.Minute), time.Now().Add(time.Minute))
	if len(listed) != 1 || listed[0].TokensIn != 12 || listed[0].LatencyMS != 500 || listed[0].Status != "error" {
		t.Fatalf("listed %+v", listed)
	}
}
