package sqspoll

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// delete acknowledges msgs in one DeleteMessageBatch (a batch never exceeds
// its limit of 10). A failed delete is logged and counted, not retried: the
// message is delivered again, which at-least-once consumers must handle
// anyway.
func (p *Poller) delete(ctx context.Context, msgs []types.Message, log *slog.Logger) {
	if len(msgs) == 0 {
		return
	}
	entries := make([]types.DeleteMessageBatchRequestEntry, len(msgs))
	for i, m := range msgs {
		entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
	}
	out, err := p.cfg.Client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{
		QueueUrl: aws.String(p.cfg.QueueURL),
		Entries:  entries,
	})
	if err != nil {
		p.stats.deleteErrors.Add(int64(len(msgs)))
		log.Error("delete handled messages; they will be delivered again", "messageIds", messageIDs(msgs), "error", err)
		return
	}
	p.stats.deleted.Add(int64(len(out.Successful)))
	for _, f := range out.Failed {
		p.stats.deleteErrors.Add(1)
		i, _ := strconv.Atoi(aws.ToString(f.Id))
		var id string
		if i >= 0 && i < len(msgs) {
			id = aws.ToString(msgs[i].MessageId)
		}
		log.Error("delete handled message; it will be delivered again", "messageId", id,
			"code", aws.ToString(f.Code), "senderFault", f.SenderFault)
	}
}
