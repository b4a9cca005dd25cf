package ingest

import "time"

// Limits of one request and one event. They are part of the documented API:
// a client can size its batches from them.
const (
	// MaxBatchBytes bounds a request body, below Lambda's 6 MiB payload limit.
	MaxBatchBytes = 5 << 20
	// MaxBatchEvents bounds the events of one JSON batch and the spans of
	// one OTLP export.
	MaxBatchEvents = 1000
	// MaxPast and MaxFuture bound an event's time against the server clock:
	// older events belong to a backfill, not to ingestion, and a clock more
	// than a few minutes ahead is wrong.
	MaxPast   = 7 * 24 * time.Hour
	MaxFuture = 5 * time.Minute

	MaxTags        = 16
	MaxTagKeyLen   = 64
	MaxTagValueLen = 256
	maxLabelLen    = 128 // model, alias, feature
	maxProviderLen = 64
	maxErrorLen    = 64

	// Bounds that catch unit mistakes (milliseconds sent as nanoseconds,
	// dollars as nano-dollars) rather than describe real calls.
	maxTokens  = 100_000_000
	maxCost    = 10_000 * 1_000_000_000 // $10,000 in nano-USD
	maxLatency = int64(24 * time.Hour / time.Millisecond)

	// defaultConcurrency is how many events of a batch are written at once.
	defaultConcurrency = 8
)

// Flags a result can carry on an accepted event.
const (
	FlagUnpricedModel  = "unpriced_model"  // the model has no price: cost recorded as 0
	FlagContentDropped = "content_dropped" // text was sent but not kept
)

// Result statuses.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusRejected  = "rejected"
)

// contentPurpose and the trace ID bind sealed text to its trace (package secrets).
const contentPurpose = "trace-content"
