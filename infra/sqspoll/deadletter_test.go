package sqspoll_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/infra/sqspoll"
)

// TestDeadLetter checks that a message the function always reports failed
// is delivered maxReceiveCount times and then lands in the dead-letter
// queue: the poller deletes nothing, and the queue's redrive does the rest.
func TestDeadLetter(t *testing.T) {
	t.Parallel()
	const maxReceiveCount = 3
	q := newQueues(t, maxReceiveCount)
	rec := newRecorder()
	p, stop := start(t, sqspoll.Config{
		QueueURL: q.url, QueueARN: q.arn, VisibilityTimeout: 1,
		Invoker: rec.invoker(failBodies(map[string]bool{"poison": true})),
	})
	ids := send(t, q.url, "poison", "fine")

	eventually(t, 20*time.Second, "the poison message to reach the dead-letter queue", func() bool {
		return total(t, q.dlqURL) == 1
	})
	stop()

	if got := rec.deliveries(ids["poison"]); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("poison message delivered with receive counts %v, want [1 2 3]", got)
	}
	if got := rec.deliveries(ids["fine"]); !slices.Equal(got, []int{1}) {
		t.Errorf("fine message delivered with receive counts %v, want [1]", got)
	}
	if n := total(t, q.url); n != 0 {
		t.Errorf("source queue holds %d messages, want 0", n)
	}
	dead := drain(t, q.dlqURL, 1)["poison"]
	if *dead.MessageId != ids["poison"] {
		t.Errorf("dead-letter message ID %s, want the original %s", *dead.MessageId, ids["poison"])
	}
	t.Logf("ApproximateReceiveCount in the dead-letter queue: %s", dead.Attributes["ApproximateReceiveCount"])
	if st := p.Stats(); st.Deleted != 1 || st.ItemFailures != maxReceiveCount {
		t.Errorf("stats %+v: want Deleted=1, ItemFailures=%d", st, maxReceiveCount)
	}
}
