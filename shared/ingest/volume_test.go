package ingest_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/ingest"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// totals is what the aggregates of one dimension value must say.
type totals struct{ Requests, Errors, TokensIn, TokensOut, CostNano int64 }

func (t *totals) add(o totals) {
	t.Requests += o.Requests
	t.Errors += o.Errors
	t.TokensIn += o.TokensIn
	t.TokensOut += o.TokensOut
	t.CostNano += o.CostNano
}

var volumeModels = []struct{ provider, model string }{
	{"openai", "gpt-4o-mini"},
	{"anthropic", "claude-haiku-4-5"},
	{"gemini", "gemini-2.5-flash"},
	{"bedrock", "amazon.nova-lite-v1:0"},
	{"openai", "gpt-4o-2024-08-06"}, // a dated snapshot: priced as gpt-4o
	{"acme", "house-model-7b"},      // in no price table: accepted, flagged, cost 0
}

// volumeEvent is the i-th of the generated events and what it must add.
func volumeEvent(t *testing.T, prices *pricing.Table, run string, i int, now time.Time) (map[string]any, string, totals) {
	t.Helper()
	m := volumeModels[i%len(volumeModels)]
	in, out, cached := int64(100+i%997), int64(10+i%313), int64(i%50)
	e := ev(fmt.Sprintf("%s-%05d", run, i), now.Add(-time.Duration(i)*17*time.Second),
		"provider", m.provider, "model", m.model, "tokens_in", in, "tokens_out", out, "tokens_cached", cached,
		"latency_ms", 50+i%2000, "tags", map[string]string{"team": fmt.Sprintf("team-%d", i%3)})
	want := totals{Requests: 1, TokensIn: in, TokensOut: out}
	if i%25 == 0 {
		e["status"], e["error_code"] = "error", "rate_limited"
		want.Errors = 1
	}
	switch price, ok := prices.Lookup(m.provider, m.model); {
	case i%10 == 0:
		want.CostNano = int64(12_345 + i)
		e["cost_nano"] = want.CostNano
	case ok:
		want.CostNano = int64(price.Cost(chat.Usage{PromptTokens: in, CompletionTokens: out,
			PromptTokensDetails: &chat.PromptTokensDetails{CachedTokens: cached}}))
	}
	return e, m.provider + "/" + m.model, want
}

// TestTenThousandEvents ingests 10,000 events in batches of 1,000 over
// three days: every one is listed once, the daily aggregates are exact per
// model, per tag and overall, and a replayed batch changes nothing.
func TestTenThousandEvents(t *testing.T) {
	e := newEnv(t)
	prices, err := pricing.NewTable(nil)
	must(t, err)
	now := time.Now().UTC()
	const n, size = 10_000, ingest.MaxBatchEvents

	wantModel := map[string]*totals{}
	wantTeam := map[string]*totals{}
	var wantAll totals
	batches := make([][]any, 0, n/size)
	for start := 0; start < n; start += size {
		var batch []any
		for i := start; i < start+size; i++ {
			event, model, want := volumeEvent(t, prices, "vol", i, now)
			batch = append(batch, event)
			for key, m := range map[string]map[string]*totals{model: wantModel, "team=" + event["tags"].(map[string]string)["team"]: wantTeam} {
				if m[key] == nil {
					m[key] = &totals{}
				}
				m[key].add(want)
			}
			wantAll.add(want)
		}
		batches = append(batches, batch)
	}

	for bi, batch := range batches {
		resp := e.batch(batch...)
		if resp.Accepted != size || resp.Rejected != 0 || resp.Duplicates != 0 {
			t.Fatalf("batch %d: accepted %d rejected %d duplicates %d", bi, resp.Accepted, resp.Rejected, resp.Duplicates)
		}
		for _, r := range resp.Results {
			unpriced := volumeModels[(bi*size+r.Index)%len(volumeModels)].provider == "acme" && (bi*size+r.Index)%10 != 0
			if r.Status != ingest.StatusAccepted || slices.Contains(r.Flags, ingest.FlagUnpricedModel) != unpriced {
				t.Fatalf("batch %d result %+v (unpriced %v)", bi, r, unpriced)
			}
		}
	}

	from, to := now.Add(-72*time.Hour), now.Add(time.Minute)
	listed := byID(t, e.list(from, to))
	if len(listed) != n {
		t.Fatalf("listed %d traces, want %d", len(listed), n)
	}
	var listedCost int64
	for i := 0; i < n; i++ {
		tr, ok := listed[fmt.Sprintf("vol-%05d", i)]
		if !ok {
			t.Fatalf("event %d not listed", i)
		}
		if tr.Source != "ingest" || tr.Workspace != e.ws || tr.SealedContent != "" {
			t.Fatalf("trace %+v", tr)
		}
		listedCost += tr.CostNano
	}
	if listedCost != wantAll.CostNano {
		t.Fatalf("listed cost %d, want %d", listedCost, wantAll.CostNano)
	}

	check := func(when string) {
		t.Helper()
		for _, c := range []struct {
			dim  string
			want map[string]*totals
		}{
			{trace.DimModel, wantModel}, {trace.DimTag, wantTeam}, {trace.DimAll, map[string]*totals{"": &wantAll}},
		} {
			got := e.aggregates(from, to, c.dim)
			want := map[string]totals{}
			for k, v := range c.want {
				want[k] = *v
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %s aggregates\n got %+v\nwant %+v", when, c.dim, got, want)
			}
		}
	}
	check("after ingest")

	resp := e.batch(batches[3]...)
	if resp.Duplicates != size || resp.Accepted != 0 || resp.Rejected != 0 {
		t.Fatalf("replay: %+v", resp)
	}
	check("after replay")
	if got := len(e.list(from, to)); got != n {
		t.Fatalf("after replay listed %d traces", got)
	}
}

// aggregates sums a dimension's daily aggregates per value.
func (e *env) aggregates(from, to time.Time, dim string) map[string]totals {
	e.t.Helper()
	aggs, err := e.traces.Aggregates(context.Background(), e.scoped.DynamoDB, e.org, from, to, dim)
	must(e.t, err)
	out := map[string]totals{}
	for _, a := range aggs {
		t := out[a.Value]
		t.add(totals{Requests: a.Requests, Errors: a.Errors, TokensIn: a.TokensIn, TokensOut: a.TokensOut, CostNano: a.CostNano})
		out[a.Value] = t
	}
	return out
}
