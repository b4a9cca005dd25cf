package sqspoll

import "sync/atomic"

// Stats is a snapshot of a Poller's counters. Tests wait on them instead of
// sleeping, and the local runner can report them.
type Stats struct {
	// Received counts messages received from the queue, redeliveries included.
	Received int64
	// Batches counts invocations of the function.
	Batches int64
	// Deleted counts messages deleted after a successful invocation.
	Deleted int64
	// ItemFailures counts messages the function listed in batchItemFailures,
	// left on the queue to be retried.
	ItemFailures int64
	// BatchFailures counts batches of which nothing was deleted: the
	// invocation failed or its response failed the whole batch.
	BatchFailures int64
	// ReceiveErrors counts failed ReceiveMessage calls (each retried after a
	// backoff).
	ReceiveErrors int64
	// DeleteErrors counts messages whose deletion failed; they will be
	// delivered again.
	DeleteErrors int64
}

// counters is the live, concurrency-safe form of Stats.
type counters struct {
	received, batches, deleted, itemFailures, batchFailures, receiveErrors, deleteErrors atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Received:      c.received.Load(),
		Batches:       c.batches.Load(),
		Deleted:       c.deleted.Load(),
		ItemFailures:  c.itemFailures.Load(),
		BatchFailures: c.batchFailures.Load(),
		ReceiveErrors: c.receiveErrors.Load(),
		DeleteErrors:  c.deleteErrors.Load(),
	}
}
