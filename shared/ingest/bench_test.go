package ingest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/ingest"
)

// BenchmarkIngestBatch posts full batches of new events to one instance on
// the real local stack (authentication, tenant session and settings warm;
// one transaction per event through the enforcing endpoint to DynamoDB
// Local) and reports the sustained rate.
func BenchmarkIngestBatch(b *testing.B) {
	e := newEnv(b)
	now := time.Now().UTC()
	bodies := make([][]byte, 0, b.N+1)
	for i := range b.N + 1 {
		events := make([]any, ingest.MaxBatchEvents)
		for j := range events {
			events[j] = ev(fmt.Sprintf("bench-%d-%04d", i, j), now.Add(-time.Duration(j)*time.Second),
				"tags", map[string]string{"team": fmt.Sprintf("t%d", j%4)})
		}
		body, err := json.Marshal(map[string]any{"events": events})
		must(b, err)
		bodies = append(bodies, body)
	}
	post := func(body []byte) {
		status, resp := e.post("/v1/traces", bytes.NewReader(body))
		if status != http.StatusOK || !bytes.Contains(resp, []byte(fmt.Sprintf(`"accepted":%d,`, ingest.MaxBatchEvents))) {
			b.Fatalf("status %d: %.200s", status, resp)
		}
	}
	post(bodies[b.N]) // warm caches: token, tenant session, settings
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		post(bodies[i])
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*ingest.MaxBatchEvents)/elapsed.Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}
