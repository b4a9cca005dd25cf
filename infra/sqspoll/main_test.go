package sqspoll_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/infra/sqspoll"
)

var (
	stack  *localstack.Stack
	client *sqs.Client
)

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "sqspoll-test"}, func(s *localstack.Stack) error {
		stack = s
		client = sqs.NewFromConfig(s.OperatorConfig())
		return nil
	})
}

// queuePair is a work queue and its dead-letter queue, private to one test.
type queuePair struct {
	url, arn       string
	dlqURL, dlqARN string
}

var queueSeq atomic.Int64

var nonQueueChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// newQueues creates a queue whose redrive policy moves a message to its own
// dead-letter queue after maxReceiveCount receives.
func newQueues(t *testing.T, maxReceiveCount int) queuePair {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("sqspoll-%d-%s", queueSeq.Add(1), nonQueueChars.ReplaceAllString(t.Name(), "-"))
	if len(name) > 70 {
		name = name[:70]
	}
	var q queuePair
	q.dlqURL, q.dlqARN = createQueue(t, ctx, name+"-dlq", nil)
	policy, _ := json.Marshal(map[string]any{"deadLetterTargetArn": q.dlqARN, "maxReceiveCount": maxReceiveCount})
	q.url, q.arn = createQueue(t, ctx, name, map[string]string{"RedrivePolicy": string(policy)})
	return q
}

func createQueue(t *testing.T, ctx context.Context, name string, attrs map[string]string) (url, arn string) {
	t.Helper()
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	a, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: out.QueueUrl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("queue ARN of %s: %v", name, err)
	}
	return *out.QueueUrl, a.Attributes[string(types.QueueAttributeNameQueueArn)]
}

// send puts bodies on the queue and returns their message IDs by body.
func send(t *testing.T, url string, bodies ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for start := 0; start < len(bodies); start += 10 {
		var entries []types.SendMessageBatchRequestEntry
		for i, b := range bodies[start:min(start+10, len(bodies))] {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(b)})
		}
		out, err := client.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
		if err != nil {
			t.Fatalf("send: %v", err)
		}
		if len(out.Failed) > 0 {
			t.Fatalf("send: %d messages failed", len(out.Failed))
		}
		for _, s := range out.Successful {
			i, _ := strconv.Atoi(*s.Id)
			ids[bodies[start+i]] = *s.MessageId
		}
	}
	return ids
}

// total is the number of messages on a queue, visible, in flight or delayed.
func total(t *testing.T, url string) int {
	t.Helper()
	out, err := client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			types.QueueAttributeNameApproximateNumberOfMessagesDelayed,
		},
	})
	if err != nil {
		t.Fatalf("queue attributes: %v", err)
	}
	n := 0
	for _, v := range out.Attributes {
		i, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("queue attribute %q: %v", v, err)
		}
		n += i
	}
	return n
}

// drain receives want messages (hiding them for a minute) and returns them
// by body. It fails the test if they do not all turn up within 10 seconds.
func drain(t *testing.T, url string, want int) map[string]types.Message {
	t.Helper()
	got := map[string]types.Message{}
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < want && time.Now().Before(deadline) {
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatalf("drain: %v", err)
		}
		for _, m := range out.Messages {
			got[*m.Body] = m
		}
	}
	if len(got) != want {
		t.Fatalf("drain: got %d messages, want %d", len(got), want)
	}
	return got
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// start runs a poller for cfg and returns it with a stop function that
// cancels it and waits for Run to return (also done at cleanup).
func start(t *testing.T, cfg sqspoll.Config) (*sqspoll.Poller, func()) {
	t.Helper()
	if cfg.Client == nil {
		cfg.Client = client
	}
	p, err := sqspoll.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return within 10s of cancel")
			}
		})
	}
	t.Cleanup(stop)
	return p, stop
}

// recorder is the function under test's memory: what each invocation
// delivered, decoded as a Lambda handler would decode it.
type recorder struct {
	mu       sync.Mutex
	counts   map[string][]int // message ID → ApproximateReceiveCount of each delivery
	payloads [][]byte
}

func newRecorder() *recorder { return &recorder{counts: map[string][]int{}} }

// invoker is the function: it decodes the event, records it and answers
// with respond.
func (r *recorder) invoker(respond func(events.SQSEvent) ([]byte, error)) sqspoll.InvokerFunc {
	return func(_ context.Context, payload []byte) ([]byte, error) {
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("decode event: %w", err)
		}
		r.mu.Lock()
		r.payloads = append(r.payloads, payload)
		for _, rec := range ev.Records {
			n, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
			r.counts[rec.MessageId] = append(r.counts[rec.MessageId], n)
		}
		r.mu.Unlock()
		return respond(ev)
	}
}

// deliveries returns the receive counts seen for a message ID.
func (r *recorder) deliveries(id string) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.counts[id]...)
}

// failBodies answers with a batchItemFailures entry for every record whose
// body is in fail.
func failBodies(fail map[string]bool) func(events.SQSEvent) ([]byte, error) {
	return func(ev events.SQSEvent) ([]byte, error) {
		var resp events.SQSEventResponse
		for _, rec := range ev.Records {
			if fail[rec.Body] {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
		}
		return json.Marshal(resp)
	}
}
