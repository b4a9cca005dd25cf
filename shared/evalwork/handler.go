package evalwork

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Visibility extends a message's visibility timeout: the heartbeat.
type Visibility interface {
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// HandlerConfig configures the SQS side of the worker.
type HandlerConfig struct {
	Worker   *Worker
	SQS      Visibility
	QueueURL string
	// Visibility is the queue's visibility timeout: while a message is
	// worked on, the heartbeat pushes its visibility this far ahead every
	// third of it, so a live worker keeps its chunk and a dead worker's
	// chunk reappears within Visibility. Default 900s (template.yaml).
	Visibility time.Duration
	// MaxReceive is the queue's maxReceiveCount: on that receive a failing
	// item is recorded dead-lettered. Default 5 (template.yaml).
	MaxReceive int
	Logger     *slog.Logger
}

// Handler is the eval worker's Lambda handler for SQS batches.
type Handler struct{ cfg HandlerConfig }

// NewHandler returns a Handler with cfg's defaults filled in.
func NewHandler(cfg HandlerConfig) *Handler {
	if cfg.Visibility == 0 {
		cfg.Visibility = 900 * time.Second
	}
	if cfg.MaxReceive == 0 {
		cfg.MaxReceive = 5
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg}
}

// Handle scores each message of the batch in turn and reports the ones to
// deliver again (ReportBatchItemFailures); the others are deleted.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	beats := h.heartbeat(ctx, ev.Records)
	defer beats.stopAll()
	for _, rec := range ev.Records {
		if err := h.one(ctx, rec); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
		beats.stop(rec.MessageId)
	}
	return resp, nil
}

func (h *Handler) one(ctx context.Context, rec events.SQSMessage) error {
	msg, err := Decode(rec.Body)
	if err != nil { // no retry can fix it: it goes to the dead-letter queue
		h.cfg.Logger.ErrorContext(ctx, "undecodable evaluation message", "message_id", rec.MessageId)
		return err
	}
	receives, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	out, err := h.cfg.Worker.Process(ctx, msg, receives >= h.cfg.MaxReceive)
	attrs := []any{"message_id", rec.MessageId, "org", msg.Org, "run", msg.Run, "items", len(msg.Items),
		"receive", receives, "scored", out.Scored, "skipped", out.Skipped, "errored", out.Errored,
		"dead_lettered", out.Dead, "stopped", out.Stopped}
	if err != nil {
		attrs = append(attrs, "error_code", apperr.As(err).Code)
		if k := apperr.KindOf(err); k == apperr.Internal || k == apperr.Unavailable {
			attrs = append(attrs, "error", err) // our own failures; a provider's text never is one
		}
		h.cfg.Logger.WarnContext(ctx, "evaluation chunk not done; SQS delivers it again, or to the dead-letter queue after its last receive", attrs...)
		return err
	}
	h.cfg.Logger.InfoContext(ctx, "evaluation chunk done", attrs...)
	return nil
}

// beats keeps each unfinished message of a batch invisible to others.
type beats struct {
	mu    sync.Mutex
	stops map[string]context.CancelFunc
	wg    sync.WaitGroup
}

func (h *Handler) heartbeat(ctx context.Context, recs []events.SQSMessage) *beats {
	b := &beats{stops: map[string]context.CancelFunc{}}
	if h.cfg.SQS == nil {
		return b
	}
	every := h.cfg.Visibility / 3
	for _, rec := range recs {
		bctx, cancel := context.WithCancel(ctx)
		b.stops[rec.MessageId] = cancel
		b.wg.Add(1)
		go func(receipt, id string) {
			defer b.wg.Done()
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-bctx.Done():
					return
				case <-t.C:
				}
				_, err := h.cfg.SQS.ChangeMessageVisibility(bctx, &sqs.ChangeMessageVisibilityInput{
					QueueUrl: aws.String(h.cfg.QueueURL), ReceiptHandle: aws.String(receipt),
					VisibilityTimeout: int32(h.cfg.Visibility / time.Second)})
				if err != nil && bctx.Err() == nil {
					h.cfg.Logger.WarnContext(ctx, "extend message visibility", "message_id", id, "error", err)
				}
			}
		}(rec.ReceiptHandle, rec.MessageId)
	}
	return b
}

func (b *beats) stop(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cancel, ok := b.stops[id]; ok {
		cancel()
		delete(b.stops, id)
	}
}

func (b *beats) stopAll() {
	b.mu.Lock()
	for id, cancel := range b.stops {
		cancel()
		delete(b.stops, id)
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// Invoke takes the SQS event as Lambda delivers it (JSON) and returns the
// batch response as JSON: the local runner's event source calls it as
// Lambda would call the function.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("decode SQS event: %w", err)
	}
	resp, err := h.Handle(ctx, ev)
	if err != nil {
		return nil, err
	}
	return json.Marshal(resp)
}
