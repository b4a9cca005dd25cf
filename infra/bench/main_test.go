package bench_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/bench"
)

// TestMain lets the test binary serve as the harness's gateway process:
// the smoke run re-executes it in that role.
func TestMain(m *testing.M) {
	bench.RunChildIfAsked()
	os.Exit(m.Run())
}

// TestBenchSmoke runs one short iteration of everything `make bench` does,
// in-process, into a temporary directory. Tollgate's path must work end to
// end; a peer that is not installed here must be reported as missing, never
// silently left out.
func TestBenchSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := bench.Smoke()
	o.OutDir = t.TempDir()
	o.Command = "go test ./infra/bench -run TestBenchSmoke"
	var log bytes.Buffer
	o.Log = &log
	res, err := bench.Run(ctx, o)
	if err != nil {
		t.Fatalf("smoke run: %v\n%s", err, log.String())
	}

	for _, lv := range res.Latency {
		got := lv.ByTarget[bench.NameTollgate]
		if got.Errors != 0 || len(got.Samples) != o.Requests {
			t.Errorf("concurrency %d: tollgate answered %d of %d (%d failed: %s)", lv.Concurrency, len(got.Samples), o.Requests, got.Errors, got.FirstError)
		}
	}
	st := res.Streaming[bench.NameTollgate]
	if st.Errors != 0 || len(st.Samples) != o.Streams || st.TTFBs().P(50) <= 0 || st.Gaps().N() < o.Streams*o.StreamTokens {
		t.Errorf("tollgate streaming: %d streams, %d failed (%s), %d gaps", len(st.Samples), st.Errors, st.FirstError, st.Gaps().N())
	}
	if sat := res.Saturation[bench.NameTollgate]; sat.Throughput() <= 0 || sat.Errors != 0 {
		t.Errorf("tollgate saturation: %.0f req/s, %d failed (%s)", sat.Throughput(), sat.Errors, sat.FirstError)
	}
	if m := res.Memory[bench.NameTollgate]; m.Loaded.RSS <= 0 || m.Loaded.Peak < m.Loaded.RSS {
		t.Errorf("tollgate memory: %+v", m)
	}

	// Budgets and rate limits are on: every warm call reserves and settles.
	if n := opCalls(res.Warm, "dynamodb:TransactWriteItems"); n != 2*res.Warm.Requests {
		t.Errorf("warm calls: %d TransactWriteItems for %d requests, want 2 each", n, res.Warm.Requests)
	}
	if res.Warm.WriteUnits <= 0 || res.FirstCall.ServiceCalls("sts") == 0 || res.FirstCall.ServiceCalls("kms") == 0 {
		t.Errorf("AWS calls not counted: warm %+v, first %+v", res.Warm, res.FirstCall)
	}
	if res.Billed.N() != o.Requests {
		t.Errorf("billed durations: %d, want %d", res.Billed.N(), o.Requests)
	}

	gw := slices.IndexFunc(res.Functions, func(f bench.Function) bool { return f.Name == "gateway" })
	if gw < 0 || res.Functions[gw].HostSize == 0 || len(res.Functions[gw].Inits) != o.ColdStarts || res.Functions[gw].Inits[0] <= 0 {
		t.Errorf("functions: %+v", res.Functions)
	}

	report, err := os.ReadFile(res.ReportPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Peers {
		measured := slices.Contains(res.Targets, p.Name)
		switch {
		case p.Missing == "" && !measured:
			t.Errorf("peer %s neither measured nor reported missing", p.Name)
		case p.Missing != "" && !strings.Contains(string(report), "**"+p.Name+": missing**"):
			t.Errorf("missing peer %s not reported as missing", p.Name)
		}
	}
	for _, want := range []string{"# Tollgate benchmarks", "Smoke run", bench.PricesAsOf, "list prices", "TransactWriteItems"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	png, err := os.ReadFile(res.ChartPath)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("chart is not a PNG: %v", err)
	}
}

func opCalls(c bench.Calls, op string) int {
	for _, o := range c.Ops {
		if o.Op == op {
			return o.Counted
		}
	}
	return 0
}
