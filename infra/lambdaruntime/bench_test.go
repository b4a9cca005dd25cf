package lambdaruntime

import (
	"io"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkColdStart measures a function's init: from starting its process
// to its first poll of the Runtime API.
func BenchmarkColdStart(b *testing.B) {
	bin := buildStreamFn(b)
	var total time.Duration
	for b.Loop() {
		s, err := Start()
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(bin)
		cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + s.Addr(), "_HANDLER=bootstrap", "AWS_REGION=us-east-1"}
		started := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		ready, err := s.WaitReady(guard(b))
		if err != nil {
			b.Fatal(err)
		}
		total += ready.Sub(started)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "init-ns/op")
}

// BenchmarkStreamInvoke measures one warm streamed invocation end to end:
// queue the event, run the handler, read prelude and body to the end.
func BenchmarkStreamInvoke(b *testing.B) {
	bin := buildStreamFn(b)
	s := startServer(b)
	startFunction(b, bin, s, "")
	ctx := guard(b)
	payload := chatEvent(b, "")
	b.ReportAllocs()
	for b.Loop() {
		inv, err := s.Invoke(ctx, payload)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, inv.Body); err != nil {
			b.Fatal(err)
		}
		if err := inv.Err(); err != nil {
			b.Fatal(err)
		}
	}
}
