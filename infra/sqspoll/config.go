package sqspoll

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Limits of the SQS API and defaults for local use.
const (
	// MaxBatchSize is ReceiveMessage's MaxNumberOfMessages limit; larger
	// batches would need several receives per invocation (AWS's batching
	// window), which a local emulator does not need.
	MaxBatchSize = 10
	// MaxWait is the longest long poll SQS accepts, in seconds.
	MaxWait = 20
	// MaxVisibilityTimeout is SQS's limit, in seconds (12 hours).
	MaxVisibilityTimeout = 43200

	defaultBatchSize = 10
	// defaultWait is short because locally a poller must stop promptly when
	// its context ends; AWS's own mapping waits 20 seconds.
	defaultWait = 1
)

// Config describes one event source mapping: which queue feeds which
// function, and how.
type Config struct {
	// Client talks to SQS (moto locally); required.
	Client Client
	// QueueURL is the queue polled; required.
	QueueURL string
	// QueueARN becomes each record's eventSourceARN, as functions may
	// dispatch on it; required.
	QueueARN string
	// Region becomes each record's awsRegion; it defaults to the region in
	// QueueARN.
	Region string
	// BatchSize is the most messages per invocation: default 10, at most 10.
	BatchSize int32
	// Wait is the long-poll time in seconds: default 1, at most 20.
	Wait int32
	// VisibilityTimeout, in seconds, overrides the queue's for the messages
	// received, so tests see retries after a second instead of the
	// template's minutes. 0 keeps the queue's own.
	VisibilityTimeout int32
	// Concurrency is the number of pollers, each with at most one batch in
	// flight, like the mapping's maximum concurrency: default 1.
	Concurrency int
	// Invoker runs the function; required.
	Invoker Invoker
	// Logger receives receive/delete/invoke problems and per-batch debug
	// lines (ids and counts only); default discards.
	Logger *slog.Logger
}

// withDefaults validates c and fills in its defaults, so that a bad mapping
// fails when it is built rather than on the first message.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.Client == nil {
		errs = append(errs, errors.New("Client is required"))
	}
	if c.QueueURL == "" {
		errs = append(errs, errors.New("QueueURL is required"))
	}
	if c.Invoker == nil {
		errs = append(errs, errors.New("Invoker is required"))
	}
	if c.QueueARN == "" {
		errs = append(errs, errors.New("QueueARN is required"))
	} else if c.Region == "" {
		region, err := arnRegion(c.QueueARN)
		if err != nil {
			errs = append(errs, err)
		}
		c.Region = region
	}
	if c.BatchSize == 0 {
		c.BatchSize = defaultBatchSize
	}
	if c.BatchSize < 1 || c.BatchSize > MaxBatchSize {
		errs = append(errs, fmt.Errorf("BatchSize %d is outside 1..%d", c.BatchSize, MaxBatchSize))
	}
	if c.Wait == 0 {
		c.Wait = defaultWait
	}
	if c.Wait < 1 || c.Wait > MaxWait {
		errs = append(errs, fmt.Errorf("Wait %d is outside 1..%d seconds", c.Wait, MaxWait))
	}
	if c.VisibilityTimeout < 0 || c.VisibilityTimeout > MaxVisibilityTimeout {
		errs = append(errs, fmt.Errorf("VisibilityTimeout %d is outside 0..%d seconds", c.VisibilityTimeout, MaxVisibilityTimeout))
	}
	if c.Concurrency == 0 {
		c.Concurrency = 1
	}
	if c.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("Concurrency %d is negative", c.Concurrency))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("sqspoll: invalid config: %w", err)
	}
	return c, nil
}

// arnRegion returns the region field of an ARN
// (arn:partition:service:region:account:resource).
func arnRegion(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[3] == "" {
		return "", fmt.Errorf("QueueARN %q has no region; set Region", arn)
	}
	return parts[3], nil
}
