package sqspoll_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tollgate-dev/tollgate/infra/sqspoll"
)

// TestConcurrency checks that Concurrency pollers have batches in flight
// at the same time and that every message is handled exactly once.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	q := newQueues(t, 10)
	var (
		mu       sync.Mutex
		inFlight int
		maxSeen  int
		overlap  = make(chan struct{}) // closed once two batches overlap
		once     sync.Once
	)
	rec := newRecorder()
	body := rec.invoker(failBodies(nil))
	invoke := sqspoll.InvokerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		mu.Lock()
		inFlight++
		maxSeen = max(maxSeen, inFlight)
		if inFlight >= 2 {
			once.Do(func() { close(overlap) })
		}
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		// Hold the first batches until another poller has one too; give up
		// after a while so that a serial poller fails the assertion below
		// rather than hanging.
		select {
		case <-overlap:
		case <-time.After(5 * time.Second):
		}
		return body(ctx, payload)
	})
	// The queue's own 30 s visibility timeout: no redeliveries while held.
	p, stop := start(t, sqspoll.Config{QueueURL: q.url, QueueARN: q.arn, BatchSize: 2, Concurrency: 3, Invoker: invoke})
	var bodies []string
	for i := range 12 {
		bodies = append(bodies, fmt.Sprintf("m-%d", i))
	}
	ids := send(t, q.url, bodies...)

	eventually(t, 20*time.Second, "all messages to be deleted", func() bool { return p.Stats().Deleted == 12 })
	stop()
	if maxSeen < 2 {
		t.Errorf("at most %d batch in flight with Concurrency 3", maxSeen)
	}
	for _, b := range bodies {
		if got := rec.deliveries(ids[b]); len(got) != 1 {
			t.Errorf("%s delivered %d times, want once", b, len(got))
		}
	}
	if st := p.Stats(); st.Received != 12 || st.Batches < 6 {
		t.Errorf("stats %+v: want 12 received in at least 6 batches of at most 2", st)
	}
}

// TestRunStops checks that Run returns once its context ends, even while
// long-polling an empty queue, and refuses to run twice at once.
func TestRunStops(t *testing.T) {
	t.Parallel()
	q := newQueues(t, 10)
	p, err := sqspoll.New(sqspoll.Config{Client: client, QueueURL: q.url, QueueARN: q.arn, Wait: 20, Concurrency: 2,
		Invoker: sqspoll.InvokerFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil })})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- p.Run(ctx) }()
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("one of two concurrent Runs returned nil before cancel; want it refused")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("neither of two concurrent Runs was refused")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still long-polling 5 s after cancel")
	}
}

// TestReceiveErrorsAreRetried points a poller at a port nobody listens on:
// receive errors must be counted and retried with a growing delay, and
// never end Run.
func TestReceiveErrorsAreRetried(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	cfg := stack.OperatorConfig()
	cfg.BaseEndpoint = aws.String(dead)
	cfg.RetryMaxAttempts = 1
	start1 := time.Now()
	p, stop := start(t, sqspoll.Config{
		Client: sqs.NewFromConfig(cfg), QueueURL: dead + "/123456789012/nowhere",
		QueueARN: "arn:aws:sqs:us-east-1:123456789012:nowhere",
		Invoker:  sqspoll.InvokerFunc(func(context.Context, []byte) ([]byte, error) { return nil, errors.New("never called") }),
	})
	eventually(t, 10*time.Second, "three receive errors", func() bool { return p.Stats().ReceiveErrors >= 3 })
	// Three failures are separated by backoffs of 100 ms and 200 ms at least.
	if elapsed := time.Since(start1); elapsed < 300*time.Millisecond {
		t.Errorf("three receive errors within %v: no backoff", elapsed)
	}
	stop()
	if st := p.Stats(); st.Batches != 0 {
		t.Errorf("stats %+v: no batch should have been invoked", st)
	}
}
