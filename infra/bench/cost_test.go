package bench

import (
	"testing"
	"time"
)

func TestMicroUSDString(t *testing.T) {
	tests := []struct {
		in   MicroUSD
		want string
	}{
		{0, "$0.0000"},
		{200_000, "$0.2000"},
		{20_000_000, "$20.0000"},
		{13_333_400, "$13.3334"},
		{-1_500_000, "-$1.5000"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%d: got %s, want %s", int64(tt.in), got, tt.want)
		}
	}
}

func TestProjectCost(t *testing.T) {
	warm := Calls{Requests: 10, WriteUnits: 320, ReadUnits: 5,
		Ops: []OpCalls{{Op: "kms:Decrypt", Counted: 1}, {Op: "dynamodb:TransactWriteItems", Counted: 20}}}
	tests := []struct {
		item string
		want MicroUSD
	}{
		{"Lambda requests", 200_000},
		// 34 ms at 1024 MB: 0.034 GB-s × $0.0000133334 × 1M.
		{"Lambda duration (arm64)", 453_335},
		{"API Gateway REST", 3_500_000},
		{"DynamoDB writes", 20_000_000}, // 32 WRU at $0.625 per million
		{"DynamoDB reads", 62_500},      // 0.5 RRU at $0.125 per million
		{"KMS", 300_000},                // 0.1 calls at $3 per million
		{"STS", 0},
		{"CloudWatch Logs", 250_000}, // 500 bytes × 1M = 0.5 GB at $0.50
	}
	lines := projectCost(CostInput{Calls: warm, Billed: 33*time.Millisecond + time.Microsecond, MemoryMB: 1024, LogBytes: 500})
	if len(lines) != len(tests) {
		t.Fatalf("%d lines, want %d", len(lines), len(tests))
	}
	var total MicroUSD
	for i, tt := range tests {
		if lines[i].Item != tt.item || lines[i].PerMillion != tt.want {
			t.Errorf("line %d: %s %d, want %s %d", i, lines[i].Item, lines[i].PerMillion, tt.item, tt.want)
		}
		total += tt.want
	}
	if got := totalCost(lines); got != total {
		t.Errorf("total %d, want %d", got, total)
	}
	if got := modelSecondCost(1024); got != 13_333_400 {
		t.Errorf("a second of model time costs %d, want 13333400", got)
	}
}
