package sqspoll

import (
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// eventSource is the fixed eventSource of records Lambda builds from SQS.
const eventSource = "aws:sqs"

// newEvent builds the event Lambda would send for msgs, in receive order,
// so that a function cannot tell the emulator from AWS. Maps and lists that
// Lambda sends empty ({} and []) are non-nil here for the same JSON.
func newEvent(msgs []types.Message, queueARN, region string) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 0, len(msgs))}
	for _, m := range msgs {
		rec := events.SQSMessage{
			MessageId:              aws.ToString(m.MessageId),
			ReceiptHandle:          aws.ToString(m.ReceiptHandle),
			Body:                   aws.ToString(m.Body),
			Md5OfBody:              aws.ToString(m.MD5OfBody),
			Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
			Attributes:             make(map[string]string, len(m.Attributes)),
			MessageAttributes:      make(map[string]events.SQSMessageAttribute, len(m.MessageAttributes)),
			EventSourceARN:         queueARN,
			EventSource:            eventSource,
			AWSRegion:              region,
		}
		for k, v := range m.Attributes {
			rec.Attributes[k] = v
		}
		for k, v := range m.MessageAttributes {
			rec.MessageAttributes[k] = eventAttribute(v)
		}
		ev.Records = append(ev.Records, rec)
	}
	return ev
}

// eventAttribute converts a message attribute to the event's shape, with
// Lambda's empty lists where SQS sent none.
func eventAttribute(v types.MessageAttributeValue) events.SQSMessageAttribute {
	a := events.SQSMessageAttribute{
		StringValue:      v.StringValue,
		BinaryValue:      v.BinaryValue,
		StringListValues: v.StringListValues,
		BinaryListValues: v.BinaryListValues,
		DataType:         aws.ToString(v.DataType),
	}
	if a.StringListValues == nil {
		a.StringListValues = []string{}
	}
	if a.BinaryListValues == nil {
		a.BinaryListValues = [][]byte{}
	}
	return a
}
