package sqspoll_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/tollgate-dev/tollgate/infra/sqspoll"
)

// TestBatchOutcomes checks, against moto, which messages each kind of
// function answer deletes and which it leaves to come back.
func TestBatchOutcomes(t *testing.T) {
	t.Parallel()
	bodies := []string{"ok-0", "ok-1", "fail-0", "fail-1"}
	isFail := func(b string) bool { return strings.HasPrefix(b, "fail-") }
	raw := func(s string) func(events.SQSEvent) ([]byte, error) {
		return func(events.SQSEvent) ([]byte, error) { return []byte(s), nil }
	}
	type outcome int
	const (
		allDeleted  outcome = iota // success: every message deleted
		failedKept                 // partial: only the listed messages stay
		nothingGone                // whole-batch failure: every message stays
	)
	cases := []struct {
		name    string
		respond func(events.SQSEvent) ([]byte, error)
		want    outcome
	}{
		{"empty response", raw(""), allDeleted},
		{"null response", raw("null"), allDeleted},
		{"empty object", raw("{}"), allDeleted},
		{"empty batchItemFailures", raw(`{"batchItemFailures":[]}`), allDeleted},
		{"null batchItemFailures", raw(`{"batchItemFailures":null}`), allDeleted},
		{"partial failure", failBodies(map[string]bool{"fail-0": true, "fail-1": true}), failedKept},
		{"invoke error", func(events.SQSEvent) ([]byte, error) { return nil, errors.New("function crashed") }, nothingGone},
		{"invalid JSON", raw("not json"), nothingGone},
		{"empty itemIdentifier", raw(`{"batchItemFailures":[{"itemIdentifier":""}]}`), nothingGone},
		{"null itemIdentifier", raw(`{"batchItemFailures":[{"itemIdentifier":null}]}`), nothingGone},
		{"misspelled itemIdentifier key", func(ev events.SQSEvent) ([]byte, error) {
			return fmt.Appendf(nil, `{"batchItemFailures":[{"itemIdentifer":%q}]}`, ev.Records[0].MessageId), nil
		}, nothingGone},
		{"itemIdentifier not in batch", func(ev events.SQSEvent) ([]byte, error) {
			return fmt.Appendf(nil, `{"batchItemFailures":[{"itemIdentifier":%q},{"itemIdentifier":"no-such-message"}]}`,
				ev.Records[0].MessageId), nil
		}, nothingGone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := newQueues(t, 10) // high enough that nothing reaches the DLQ here
			rec := newRecorder()
			p, stop := start(t, sqspoll.Config{
				QueueURL: q.url, QueueARN: q.arn, VisibilityTimeout: 1,
				Invoker: rec.invoker(tc.respond),
			})
			ids := send(t, q.url, bodies...)

			kept := map[string]bool{}
			for _, b := range bodies {
				if tc.want == nothingGone || (tc.want == failedKept && isFail(b)) {
					kept[b] = true
				}
			}
			wantDeleted := int64(len(bodies) - len(kept))
			// Done when every kept message has come back at least once and
			// every other one is deleted.
			eventually(t, 15*time.Second, "kept messages to reappear and the rest to be deleted", func() bool {
				for b := range kept {
					if len(rec.deliveries(ids[b])) < 2 {
						return false
					}
				}
				return p.Stats().Deleted == wantDeleted
			})
			stop()

			for _, b := range bodies {
				got := rec.deliveries(ids[b])
				if !kept[b] {
					if !slices.Equal(got, []int{1}) {
						t.Errorf("%s was deleted but delivered with receive counts %v, want [1]", b, got)
					}
					continue
				}
				for i, n := range got {
					if n != i+1 {
						t.Errorf("%s: receive counts %v, want 1, 2, 3, ...", b, got)
						break
					}
				}
			}
			st := p.Stats()
			if st.Deleted != wantDeleted || st.DeleteErrors != 0 {
				t.Errorf("stats %+v: want Deleted=%d and no delete errors", st, wantDeleted)
			}
			switch tc.want {
			case allDeleted:
				if st.ItemFailures != 0 || st.BatchFailures != 0 {
					t.Errorf("stats %+v: want no failures", st)
				}
			case failedKept:
				if st.ItemFailures < 4 || st.BatchFailures != 0 {
					t.Errorf("stats %+v: want item failures for both deliveries of both failing messages and no batch failures", st)
				}
			case nothingGone:
				if st.ItemFailures != 0 || st.BatchFailures < 2 {
					t.Errorf("stats %+v: want batch failures only", st)
				}
			}

			if n := total(t, q.url); n != len(kept) {
				t.Errorf("queue holds %d messages, want %d", n, len(kept))
			}
			for b := range drain(t, q.url, len(kept)) {
				if !kept[b] {
					t.Errorf("queue still holds %s, which should have been deleted", b)
				}
			}
			if n := total(t, q.dlqURL); n != 0 {
				t.Errorf("dead-letter queue holds %d messages, want 0", n)
			}
		})
	}
}
