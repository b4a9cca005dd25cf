package feedback

import (
	"context"
	"time"
)

// RecordWaits replaces st's backoff sleep with one that records each wait
// and returns at once.
func RecordWaits(st *Store) *[]time.Duration {
	var waits []time.Duration
	st.wait = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	return &waits
}
