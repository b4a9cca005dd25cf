package gateway_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// The hot path, end to end on the real local stack: authentication and
// settings cached (warm instance), one reserve and one settle transaction
// through the enforcing endpoint to DynamoDB Local, and a loopback
// OpenAI-compatible upstream. BenchmarkUpstreamDirect is the same call
// without the gateway; the difference is the gateway's added latency.
const benchBody = `{"model":"fast/mock-small","max_tokens":16,"messages":[{"role":"user","content":"hello"}]}`

func BenchmarkChatCompletion(b *testing.B) {
	e := newEnv(&testing.T{})
	benchPost(b, e.srv.URL+"/v1/chat/completions", "Bearer "+e.token, benchBody)
}

func BenchmarkChatCompletionStream(b *testing.B) {
	e := newEnv(&testing.T{})
	benchPost(b, e.srv.URL+"/v1/chat/completions", "Bearer "+e.token, strings.Replace(benchBody, `"max_tokens"`, `"stream":true,"max_tokens"`, 1))
}

func BenchmarkUpstreamDirect(b *testing.B) {
	benchPost(b, fastUpstream.URL+"/v1/chat/completions", "Bearer "+upstreamKey, strings.Replace(benchBody, "fast/", "", 1))
}

func benchPost(b *testing.B, url, authz, body string) {
	b.Helper()
	client := &http.Client{}
	do := func() {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Authorization", authz)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	do() // warm caches: token, tenant session, settings, data key
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		do()
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	// Latency as the client sees it: until the whole answer was read.
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
