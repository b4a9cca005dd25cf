package sqspoll

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// Poller is one emulated event source mapping. Build it with New, run it
// with Run; read its counters with Stats at any time.
type Poller struct {
	cfg     Config
	stats   counters
	running atomic.Bool
}

// New validates cfg and applies its defaults, so that configuration errors
// surface before anything is polled.
func New(cfg Config) (*Poller, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Poller{cfg: cfg}, nil
}

// Stats returns the counters so far.
func (p *Poller) Stats() Stats { return p.stats.snapshot() }

// Run polls with Concurrency pollers until ctx ends, then waits for the
// batches in flight and returns nil. Errors are logged, never returned: a
// failed receive is retried after a growing backoff, and a failed delete
// means the message is delivered again, so a local queue that is briefly
// unreachable does not stop the runner. Run returns an error only if the
// Poller is already running.
//
// The invocation gets ctx, so cancelling it may abort a batch, which is
// then retried on the next run; a batch whose invocation has returned is
// still acknowledged (its deletes outlive ctx for a short while).
func (p *Poller) Run(ctx context.Context) error {
	if !p.running.CompareAndSwap(false, true) {
		return errors.New("sqspoll: Run called while already running")
	}
	defer p.running.Store(false)
	p.cfg.Logger.Debug("sqs poller started", "queue", p.cfg.QueueARN, "concurrency", p.cfg.Concurrency,
		"batchSize", p.cfg.BatchSize, "wait", p.cfg.Wait, "visibilityTimeout", p.cfg.VisibilityTimeout)
	var wg sync.WaitGroup
	for range p.cfg.Concurrency {
		wg.Go(func() { p.poll(ctx) })
	}
	wg.Wait()
	p.cfg.Logger.Debug("sqs poller stopped", "queue", p.cfg.QueueARN)
	return nil
}

// poll is one poller: receive a batch, process it, repeat. At most one
// batch is in flight per poller, as with one unit of the mapping's
// concurrency.
func (p *Poller) poll(ctx context.Context) {
	var b backoff
	for ctx.Err() == nil {
		msgs, err := p.receive(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			p.stats.receiveErrors.Add(1)
			d := b.next()
			p.cfg.Logger.Warn("sqs receive failed; retrying", "queue", p.cfg.QueueARN, "retryIn", d, "error", err)
			if !sleep(ctx, d) {
				return
			}
			continue
		}
		b.reset()
		if len(msgs) > 0 {
			p.process(ctx, msgs)
		}
	}
}
