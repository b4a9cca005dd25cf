package ingest_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// A batch retried with its Idempotency-Key gets the first answer again
// (accepted, not duplicate) and writes nothing twice; the key with another
// batch is refused.
func TestIdempotencyKeyOnBatches(t *testing.T) {
	e := newEnv(t)
	at := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	body, err := json.Marshal(map[string]any{"events": []any{ev("idem-1", at), ev("idem-2", at)}})
	must(t, err)
	st1, first := e.post("/v1/traces", bytes.NewReader(body), "Idempotency-Key", "batch-0001")
	st2, again := e.post("/v1/traces", bytes.NewReader(body), "Idempotency-Key", "batch-0001")
	if st1 != 200 || st2 != 200 || !bytes.Equal(first, again) || !bytes.Contains(again, []byte(`"accepted":2`)) {
		t.Fatalf("replay: %d %s / %d %s", st1, first, st2, again)
	}
	if got := e.list(at.Add(-time.Minute), at.Add(time.Minute)); len(got) != 2 {
		t.Fatalf("%d traces stored", len(got))
	}
	other, err := json.Marshal(map[string]any{"events": []any{ev("idem-3", at)}})
	must(t, err)
	if st, b := e.post("/v1/traces", bytes.NewReader(other), "Idempotency-Key", "batch-0001"); st != 422 ||
		!bytes.Contains(b, []byte(`"code":"idempotency_key_reused"`)) {
		t.Fatalf("same key, other batch: %d %s", st, b)
	}
	// Without a key, a replay is still exactly-once by event ID.
	if st, b := e.post("/v1/traces", bytes.NewReader(body)); st != 200 || !bytes.Contains(b, []byte(`"duplicates":2`)) {
		t.Fatalf("replay without a key: %d %s", st, b)
	}
}
