package sqspoll

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// deleteTimeout bounds the deletes after an invocation; they run even when
// the poller's context has ended, so finished work is not redone.
const deleteTimeout = 10 * time.Second

// process invokes the function with one batch and deletes the messages it
// handled, following Lambda's partial batch response rules. Nothing here is
// returned as an error: an undeleted message simply comes back after its
// visibility timeout, which is the retry.
func (p *Poller) process(ctx context.Context, msgs []types.Message) {
	log := p.cfg.Logger.With("queue", p.cfg.QueueARN, "batch", len(msgs))
	ids := make(map[string]bool, len(msgs))
	for _, m := range msgs {
		ids[aws.ToString(m.MessageId)] = true
	}

	payload, err := json.Marshal(newEvent(msgs, p.cfg.QueueARN, p.cfg.Region))
	if err != nil { // cannot happen for these types; fail safe anyway
		p.stats.batchFailures.Add(1)
		log.Error("encode SQS event; batch left for retry", "error", err)
		return
	}
	p.stats.batches.Add(1)
	log.Debug("invoking function", "messageIds", messageIDs(msgs))
	resp, err := p.cfg.Invoker.Invoke(ctx, payload)
	if err != nil {
		p.stats.batchFailures.Add(1)
		log.Warn("invocation failed; whole batch left for retry", "error", err)
		return
	}
	failed, err := failedItems(resp, ids)
	if err != nil {
		p.stats.batchFailures.Add(1)
		log.Warn("invalid batch response; whole batch left for retry", "responseBytes", len(resp), "error", err)
		return
	}
	p.stats.itemFailures.Add(int64(len(failed)))

	done := make([]types.Message, 0, len(msgs))
	for _, m := range msgs {
		if !failed[aws.ToString(m.MessageId)] {
			done = append(done, m)
		}
	}
	if len(failed) > 0 {
		log.Debug("function reported item failures", "failed", len(failed), "succeeded", len(done))
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deleteTimeout)
	defer cancel()
	p.delete(dctx, done, log)
}

// messageIDs lists the IDs of msgs for logs, which carry no content.
func messageIDs(msgs []types.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = aws.ToString(m.MessageId)
	}
	return out
}
