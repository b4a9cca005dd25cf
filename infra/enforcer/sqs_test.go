package enforcer

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	jobsURL   = "http://localhost:4566/123456789012/tollgate-Jobs"
	otherURL  = "http://localhost:4566/123456789012/tollgate-Other"
	workerARN = "arn:aws:iam::123456789012:role/tollgate-Worker"
)

func TestSQSPolicies(t *testing.T) {
	h := newHarness(t, "testdata/queues.yaml")
	creds, err := h.assume(h.operator(), workerARN, "worker", nil)
	if err != nil {
		t.Fatal(err)
	}
	q := h.sqs(h.cfg(creds))

	// A session policy narrows the role further.
	out, err := sts.NewFromConfig(h.operator()).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(workerARN), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	narrow := h.sqs(h.cfg(aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken}))

	ctx := context.Background()
	send := func(c *sqs.Client, url string) error {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("job")})
		return err
	}
	tests := []struct {
		name    string
		call    func() error
		want    string
		wantMsg string
	}{
		{"send to the granted queue", func() error { return send(q, jobsURL) }, "", ""},
		{"send to another queue", func() error { return send(q, otherURL) }, "AccessDenied",
			"sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:tollgate-Other because no identity-based policy allows"},
		{"batch send needs SendMessage", func() error {
			_, err := q.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(jobsURL),
				Entries: []sqstypes.SendMessageBatchRequestEntry{{Id: aws.String("1"), MessageBody: aws.String("a")}}})
			return err
		}, "", ""},
		{"receive from another queue", func() error {
			_, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(otherURL)})
			return err
		}, "AccessDenied", "sqs:ReceiveMessage"},
		{"AWS::IAM::Policy attached by role name", func() error {
			_, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("tollgate-Other")})
			return err
		}, "", ""},
		{"boundary denies what the identity allows", func() error {
			_, err := q.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(jobsURL)})
			return err
		}, "AccessDenied", "with an explicit deny in a permissions boundary"},
		{"AWS managed policies grant nothing locally", func() error {
			_, err := q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(jobsURL)})
			return err
		}, "AccessDenied", "because no identity-based policy allows the sqs:DeleteQueue action"},
		{"session policy narrows the role", func() error { return send(narrow, jobsURL) }, "AccessDenied",
			"because no session policy allows the sqs:SendMessage action"},
		{"session policy and role both allow", func() error {
			_, err := narrow.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(jobsURL)})
			return err
		}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := h.moto.count()
			err := tc.call()
			if got := errCode(t, err); got != tc.want {
				t.Fatalf("code %q (%v), want %q", got, err, tc.want)
			}
			if !strings.Contains(errMessage(err), tc.wantMsg) {
				t.Fatalf("message %q lacks %q", errMessage(err), tc.wantMsg)
			}
			if forwarded := h.moto.count() - before; (tc.want == "") != (forwarded > 0) {
				t.Fatalf("forwarded %d times with code %q", forwarded, tc.want)
			}
		})
	}
}

func TestSQSWireShapes(t *testing.T) {
	h := newHarness(t, "testdata/queues.yaml")
	creds, err := h.assume(h.operator(), workerARN, "worker", nil)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("json refusal", func(t *testing.T) {
		body := []byte(`{"QueueUrl":"` + otherURL + `","MessageBody":"x"}`)
		resp := h.signedRequest(creds, "sqs", "POST", "/", jsonHeader("AmazonSQS.SendMessage", "1.0"), body, nil)
		if resp.status != 403 || resp.header.Get("X-Amzn-Query-Error") != "AccessDenied;Sender" {
			t.Fatalf("status %d, query error %q", resp.status, resp.header.Get("X-Amzn-Query-Error"))
		}
		var got map[string]string
		if err := json.Unmarshal(resp.body, &got); err != nil || got["__type"] != "com.amazon.coral.service#AccessDeniedException" {
			t.Fatalf("body %s (%v)", resp.body, err)
		}
	})

	query := func(path string, form url.Values) rawResponse {
		return h.signedRequest(creds, "sqs", "POST", path, formHeader(), []byte(form.Encode()), nil)
	}
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
	}{
		{"query protocol, granted queue", "/", url.Values{"Action": {"SendMessage"}, "QueueUrl": {jobsURL}, "MessageBody": {"x"}}, 200},
		{"query protocol, other queue", "/", url.Values{"Action": {"SendMessage"}, "QueueUrl": {otherURL}, "MessageBody": {"x"}}, 403},
		{"query protocol, queue URL as path", "/123456789012/tollgate-Jobs", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}}, 200},
		{"query protocol, other queue as path", "/123456789012/tollgate-Other", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}}, 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := query(tc.path, tc.form)
			if resp.status != tc.status {
				t.Fatalf("status %d: %s", resp.status, resp.body)
			}
			if tc.status != 403 {
				return
			}
			var got struct {
				XMLName xml.Name `xml:"ErrorResponse"`
				Error   struct{ Type, Code, Message string }
			}
			if err := xml.Unmarshal(resp.body, &got); err != nil || got.Error.Code != "AccessDenied" || got.Error.Type != "Sender" {
				t.Fatalf("body %s (%v)", resp.body, err)
			}
		})
	}
}

func TestQueueARNs(t *testing.T) {
	h := newHarness(t, "testdata/queues.yaml")
	m := h.enf.model.Load()
	tests := []struct{ in, want string }{
		{jobsURL, "arn:aws:sqs:us-east-1:123456789012:tollgate-Jobs"},
		{"http://127.0.0.1:9/123456789012/tollgate-Jobs", "arn:aws:sqs:us-east-1:123456789012:tollgate-Jobs"},
		{"tollgate-Jobs", "arn:aws:sqs:us-east-1:123456789012:tollgate-Jobs"},
		{"http://h/999999999999/q", "arn:aws:sqs:us-east-1:999999999999:q"},
		{"/123456789012/unknown", "arn:aws:sqs:us-east-1:123456789012:unknown"},
	}
	for _, tc := range tests {
		if got := m.queueARN(tc.in); got != tc.want {
			t.Errorf("queueARN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
