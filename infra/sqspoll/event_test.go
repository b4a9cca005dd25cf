package sqspoll_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/infra/sqspoll"
)

// lambdaRecordKeys are the keys of every record Lambda sends for SQS.
var lambdaRecordKeys = []string{
	"attributes", "awsRegion", "body", "eventSource", "eventSourceARN", "md5OfBody",
	"md5OfMessageAttributes", "messageAttributes", "messageId", "receiptHandle",
}

// TestEventShape polls the template's EvalQueue (visibility timeout 180 s,
// overridden to 1 s) and checks that the function receives the event Lambda
// sends, on first delivery and on a retry.
func TestEventShape(t *testing.T) {
	t.Parallel()
	evalQueue := stack.Env.Physical["EvalQueue"]
	queueARN := evalQueue.Attrs["Arn"]
	rec := newRecorder()
	p, stop := start(t, sqspoll.Config{
		QueueURL: evalQueue.Ref, QueueARN: queueARN, VisibilityTimeout: 1,
		// Fail the attributed message once, to see a redelivery's event.
		Invoker: rec.invoker(func(ev events.SQSEvent) ([]byte, error) {
			var resp events.SQSEventResponse
			for _, r := range ev.Records {
				if r.Body == "with-attributes" && r.Attributes["ApproximateReceiveCount"] == "1" {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				}
			}
			return json.Marshal(resp)
		}),
	})

	out, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(evalQueue.Ref), MessageBody: aws.String("with-attributes"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"tenant":  {DataType: aws.String("String"), StringValue: aws.String("acme")},
			"attempt": {DataType: aws.String("Number"), StringValue: aws.String("3")},
			"blob":    {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	withAttrs := *out.MessageId
	plain := send(t, evalQueue.Ref, "plain")["plain"]

	eventually(t, 15*time.Second, "both messages to be handled", func() bool { return p.Stats().Deleted == 2 })
	stop()

	var seen []events.SQSMessage // deliveries of withAttrs, in order
	for _, payload := range rec.payloads {
		var raw struct{ Records []map[string]json.RawMessage }
		if err := json.Unmarshal(payload, &raw); err != nil {
			t.Fatalf("payload is not an SQS event: %v", err)
		}
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Fatal(err)
		}
		for i, r := range ev.Records {
			if keys := slices.Sorted(maps.Keys(raw.Records[i])); !slices.Equal(keys, lambdaRecordKeys) {
				t.Errorf("record keys %v, want Lambda's %v", keys, lambdaRecordKeys)
			}
			checkRecord(t, r, queueARN)
			switch r.MessageId {
			case withAttrs:
				seen = append(seen, r)
			case plain:
				if got := string(raw.Records[i]["messageAttributes"]); got != "{}" {
					t.Errorf("messageAttributes of a message without any: %s, want {}", got)
				}
			default:
				t.Errorf("unexpected message %s in the event", r.MessageId)
			}
		}
	}

	if len(seen) != 2 {
		t.Fatalf("attributed message delivered %d times, want 2", len(seen))
	}
	for i, r := range seen {
		if got, want := r.Attributes["ApproximateReceiveCount"], strconv.Itoa(i+1); got != want {
			t.Errorf("delivery %d: ApproximateReceiveCount %s, want %s", i+1, got, want)
		}
		if r.Md5OfMessageAttributes == "" {
			t.Errorf("delivery %d: no md5OfMessageAttributes", i+1)
		}
		a := r.MessageAttributes
		if a["tenant"].DataType != "String" || aws.ToString(a["tenant"].StringValue) != "acme" ||
			a["attempt"].DataType != "Number" || aws.ToString(a["attempt"].StringValue) != "3" ||
			a["blob"].DataType != "Binary" || !slices.Equal(a["blob"].BinaryValue, []byte{0, 1, 2}) {
			t.Errorf("delivery %d: message attributes %+v", i+1, a)
		}
		if a["tenant"].StringListValues == nil || a["tenant"].BinaryListValues == nil {
			t.Errorf("delivery %d: list values should be [] as Lambda sends them", i+1)
		}
	}
	if seen[0].Attributes["ApproximateFirstReceiveTimestamp"] != seen[1].Attributes["ApproximateFirstReceiveTimestamp"] {
		t.Errorf("ApproximateFirstReceiveTimestamp changed between deliveries: %s then %s",
			seen[0].Attributes["ApproximateFirstReceiveTimestamp"], seen[1].Attributes["ApproximateFirstReceiveTimestamp"])
	}
	if seen[0].ReceiptHandle == seen[1].ReceiptHandle {
		t.Error("a redelivery kept its receipt handle")
	}
}

// checkRecord checks the fields every record carries.
func checkRecord(t *testing.T, r events.SQSMessage, queueARN string) {
	t.Helper()
	sum := md5.Sum([]byte(r.Body))
	switch {
	case r.EventSource != "aws:sqs":
		t.Errorf("eventSource %q", r.EventSource)
	case r.EventSourceARN != queueARN:
		t.Errorf("eventSourceARN %q, want %q", r.EventSourceARN, queueARN)
	case r.AWSRegion != localstack.Region:
		t.Errorf("awsRegion %q", r.AWSRegion)
	case r.MessageId == "" || r.ReceiptHandle == "":
		t.Errorf("record without messageId or receiptHandle: %+v", r)
	case r.Md5OfBody != hex.EncodeToString(sum[:]):
		t.Errorf("md5OfBody %q does not match the body", r.Md5OfBody)
	case r.Attributes["SenderId"] == "":
		t.Errorf("no SenderId in attributes %v", r.Attributes)
	}
	sent, err1 := strconv.ParseInt(r.Attributes["SentTimestamp"], 10, 64)
	first, err2 := strconv.ParseInt(r.Attributes["ApproximateFirstReceiveTimestamp"], 10, 64)
	if err1 != nil || err2 != nil || first < sent {
		t.Errorf("SentTimestamp %q and ApproximateFirstReceiveTimestamp %q should be epoch milliseconds, first receive after send",
			r.Attributes["SentTimestamp"], r.Attributes["ApproximateFirstReceiveTimestamp"])
	}
}
