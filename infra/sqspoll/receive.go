package sqspoll

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// receive long-polls for one batch, asking for everything Lambda puts in an
// event: every system attribute (ApproximateReceiveCount, SentTimestamp,
// ApproximateFirstReceiveTimestamp, SenderId, ...) and every message
// attribute.
func (p *Poller) receive(ctx context.Context) ([]types.Message, error) {
	out, err := p.cfg.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(p.cfg.QueueURL),
		MaxNumberOfMessages:         p.cfg.BatchSize,
		WaitTimeSeconds:             p.cfg.Wait,
		VisibilityTimeout:           p.cfg.VisibilityTimeout, // 0 is not sent: the queue's own applies
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	if err != nil {
		return nil, fmt.Errorf("receive from %s: %w", p.cfg.QueueURL, err)
	}
	p.stats.received.Add(int64(len(out.Messages)))
	return out.Messages, nil
}
