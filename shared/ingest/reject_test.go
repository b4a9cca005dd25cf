package ingest_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/ingest"
)

// TestEventRejections sends one batch mixing valid events with every kind
// of malformed one: each bad event gets its typed rejection, and every
// valid event of the same batch is stored.
func TestEventRejections(t *testing.T) {
	e := newEnv(t)
	other := newEnv(t) // another org: its workspace ID is real, and not ours
	now := time.Now().UTC()
	tags17 := map[string]string{}
	for i := range 17 {
		tags17[fmt.Sprintf("k%d", i)] = "v"
	}
	cases := []struct {
		name  string
		event any
		code  string // "" for an accepted event
		flags []string
	}{
		{"valid", ev("ok-1", now), "", nil},
		{"valid own workspace", ev("ok-2", now, "workspace", e.ws), "", nil},
		{"valid six days old", ev("ok-3", now.Add(-6*24*time.Hour)), "", nil},
		{"valid four minutes ahead", ev("ok-4", now.Add(4*time.Minute)), "", nil},
		{"valid error", ev("ok-5", now, "status", "error", "error_code", "timeout"), "", nil},
		{"valid unknown model", ev("ok-6", now, "provider", "acme", "model", "in-house-1"), "", []string{ingest.FlagUnpricedModel}},
		{"valid content dropped", ev("ok-7", now, "content", map[string]any{"prompt": "hi"}), "", []string{ingest.FlagContentDropped}},
		{"valid semconv provider name", ev("ok-8", now, "provider", "aws.bedrock", "model", "amazon.nova-pro-v1:0"), "", nil},
		{"not an object", json.RawMessage(`42`), "invalid_event", nil},
		{"null", json.RawMessage(`null`), "invalid_event", nil},
		{"missing id", ev("", now, "id", nil), "missing_id", nil},
		{"id with space", ev("bad id", now), "invalid_id", nil},
		{"id too long", ev(strings.Repeat("a", 65), now), "invalid_id", nil},
		{"missing time", ev("bad-1", now, "time", nil), "missing_time", nil},
		{"unparsable time", ev("bad-2", now, "time", "yesterday"), "invalid_time", nil},
		{"eight days old", ev("bad-3", now.Add(-8*24*time.Hour)), "timestamp_out_of_range", nil},
		{"ten minutes ahead", ev("bad-4", now.Add(10*time.Minute)), "timestamp_out_of_range", nil},
		{"another org's workspace", ev("bad-5", now, "workspace", other.ws), "workspace_forbidden", nil},
		{"unknown workspace", ev("bad-6", now, "workspace", "ws_00000000000000000000"), "workspace_forbidden", nil},
		{"missing provider", ev("bad-7", now, "provider", nil), "missing_provider", nil},
		{"bad provider", ev("bad-8", now, "provider", "open ai"), "invalid_field", nil},
		{"missing model", ev("bad-9", now, "model", nil), "missing_model", nil},
		{"control character in model", ev("bad-10", now, "model", "gpt\u0007"), "invalid_field", nil},
		{"negative tokens", ev("bad-11", now, "tokens_in", -1), "out_of_range", nil},
		{"absurd tokens", ev("bad-12", now, "tokens_out", int64(1e12)), "out_of_range", nil},
		{"tokens as string", ev("bad-13", now, "tokens_in", "12"), "invalid_field", nil},
		{"fractional tokens", ev("bad-14", now, "tokens_in", 1.5), "invalid_field", nil},
		{"cached over input", ev("bad-15", now, "tokens_cached", 101), "out_of_range", nil},
		{"negative cost", ev("bad-16", now, "cost_nano", -5), "out_of_range", nil},
		{"absurd latency", ev("bad-17", now, "latency_ms", int64(1e10)), "out_of_range", nil},
		{"ttft over latency", ev("bad-18", now, "ttft_ms", 301), "out_of_range", nil},
		{"unknown status", ev("bad-19", now, "status", "maybe"), "invalid_status", nil},
		{"misspelled field", ev("bad-20", now, "tokens_input", 5), "unknown_field", nil},
		{"feedback score out of range", ev("bad-21", now, "feedback_score", 1.5), "invalid_feedback_score", nil},
		{"seventeen tags", ev("bad-22", now, "tags", tags17), "too_many_tags", nil},
		{"long tag key", ev("bad-23", now, "tags", map[string]string{strings.Repeat("k", 65): "v"}), "invalid_tag", nil},
		{"tag key with =", ev("bad-24", now, "tags", map[string]string{"a=b": "v"}), "invalid_tag", nil},
		{"long tag value", ev("bad-25", now, "tags", map[string]string{"k": strings.Repeat("v", 257)}), "invalid_tag", nil},
		{"tags not strings", ev("bad-26", now, "tags", map[string]any{"k": 1}), "invalid_field", nil},
		{"numeric prompt", ev("bad-27", now, "content", map[string]any{"prompt": 7}), "invalid_content", nil},
		{"long feature", ev("bad-28", now, "feature", strings.Repeat("f", 129)), "invalid_field", nil},
		{"repeated id", ev("ok-1", now), "duplicate", nil},
	}
	events := make([]any, len(cases))
	for i, c := range cases {
		events[i] = c.event
	}
	resp := e.batch(events...)
	if len(resp.Results) != len(cases) {
		t.Fatalf("%d results for %d events", len(resp.Results), len(cases))
	}
	stored := byID(t, e.list(now.Add(-7*24*time.Hour), now.Add(time.Hour)))
	accepted := 0
	for i, c := range cases {
		r := resp.Results[i]
		t.Run(c.name, func(t *testing.T) {
			if r.Index != i {
				t.Fatalf("result %d has index %d", i, r.Index)
			}
			switch c.code {
			case "":
				accepted++
				if r.Status != ingest.StatusAccepted || !slices.Equal(r.Flags, c.flags) {
					t.Fatalf("result %+v, want accepted with flags %v", r, c.flags)
				}
				if _, ok := stored[r.ID]; !ok {
					t.Fatalf("accepted event %s not stored", r.ID)
				}
			case "duplicate":
				if r.Status != ingest.StatusDuplicate {
					t.Fatalf("result %+v, want duplicate", r)
				}
			default:
				if r.Status != ingest.StatusRejected || r.Code != c.code || r.Message == "" {
					t.Fatalf("result %+v, want rejected %s", r, c.code)
				}
			}
		})
	}
	if resp.Accepted != accepted || resp.Duplicates != 1 || resp.Rejected != len(cases)-accepted-1 {
		t.Fatalf("totals %d/%d/%d", resp.Accepted, resp.Rejected, resp.Duplicates)
	}
	if len(stored) != accepted {
		t.Fatalf("%d traces stored, want %d", len(stored), accepted)
	}
	// Another org's workspace and an unknown one are refused alike: the
	// answer never confirms that a workspace exists.
	at := func(name string) ingest.Result {
		i := slices.IndexFunc(cases, func(c struct {
			name  string
			event any
			code  string
			flags []string
		}) bool {
			return c.name == name
		})
		return resp.Results[i]
	}
	if a, b := at("another org's workspace"), at("unknown workspace"); a.Code != b.Code || a.Message != b.Message {
		t.Fatalf("workspace rejections differ: %+v / %+v", a, b)
	}
	if tr := stored["ok-8"]; tr.Provider != "bedrock" || tr.CostNano == 0 || tr.Unpriced {
		t.Fatalf("semconv provider not normalized and priced: %+v", tr)
	}
	if tr := stored["ok-6"]; !tr.Unpriced || tr.CostNano != 0 {
		t.Fatalf("unknown model: %+v", tr)
	}
	if tr := stored["ok-5"]; tr.Status != "error" || tr.ErrorCode != "timeout" {
		t.Fatalf("error event: %+v", tr)
	}
	// The access line says what happened by counts and codes only.
	var line map[string]any
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"msg":"ingest"`) && strings.Contains(l, e.org) {
			must(t, json.Unmarshal([]byte(l), &line))
		}
	}
	if line == nil || line["accepted"] != float64(accepted) || line["duplicates"] != float64(1) ||
		!strings.Contains(fmt.Sprint(line["rejection_codes"]), "workspace_forbidden=2") {
		t.Fatalf("access line %v", line)
	}
	if others := other.list(now.Add(-7*24*time.Hour), now.Add(time.Hour)); len(others) != 0 {
		t.Fatalf("the other org received %d traces", len(others))
	}
}
