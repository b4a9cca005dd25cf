package bench

import (
	"slices"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/enforcer"
)

func TestKeyKind(t *testing.T) {
	tests := []struct{ key, want string }{
		{"ORG#org_1#BUDGET#ws_2|2026-11", "BUDGET"},
		{"ORG#org_1#RES#4|001795477785#req_3", "RES"},
		{"ORG#org_1|TRACEDAY#20261123", "TRACEDAY"},
		{"ORG#org_1#WS#ws_2|SETTINGS", "WS"},
	}
	for _, tt := range tests {
		if got := keyKind(tt.key); got != tt.want {
			t.Errorf("keyKind(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestSummarizeCalls(t *testing.T) {
	st := enforcer.Stats{Operations: map[string]enforcer.Count{
		"dynamodb:TransactWriteItems": {Requests: 4}, "kms:Decrypt": {Requests: 1}}}
	tx := func(sizes ...int) awsCall {
		c := awsCall{Service: "dynamodb", Op: "TransactWriteItems", Status: 200, Duration: time.Millisecond}
		for _, s := range sizes {
			c.Writes = append(c.Writes, itemWrite{Key: "ORG#o#BUDGET#x|m", Size: s, Transactional: true})
		}
		return c
	}
	calls := []awsCall{tx(100, 100), tx(100, 2000, 100), tx(100, 100), {Service: "dynamodb", Op: "TransactWriteItems", Status: 400},
		{Service: "kms", Op: "Decrypt", Status: 200}}
	got := summarizeCalls(2, st, calls, 0)
	tests := []struct {
		op                      string
		counted, metered, fails int
		items                   int
		counts                  []int
		wru                     float64
	}{
		{"dynamodb:TransactWriteItems", 4, 4, 1, 7, []int{2, 3}, 16},
		{"kms:Decrypt", 1, 1, 0, 0, nil, 0},
	}
	if len(got.Ops) != len(tests) {
		t.Fatalf("ops %+v", got.Ops)
	}
	for i, tt := range tests {
		o := got.Ops[i]
		if o.Op != tt.op || o.Counted != tt.counted || o.Metered != tt.metered || o.Failed != tt.fails ||
			o.Items != tt.items || !slices.Equal(o.ItemCounts, tt.counts) || o.WriteUnits != tt.wru {
			t.Errorf("op %d: %+v, want %+v", i, o, tt)
		}
	}
	if got.PerRequest(got.WriteUnits) != 8 || got.ServiceCalls("kms") != 1 || got.ItemsByKind["BUDGET"] != 7 {
		t.Errorf("totals: %+v", got)
	}
}
