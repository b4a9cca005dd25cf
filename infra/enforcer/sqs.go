package enforcer

import (
	"encoding/json"
	"net/url"
)

// sqsPrefix is the X-Amz-Target prefix of SQS's JSON API.
const sqsPrefix = "AmazonSQS."

// sqsBatchActions maps batch operations to the action IAM checks for them:
// SQS has no separate permission for batches.
var sqsBatchActions = map[string]string{
	"SendMessageBatch":             "SendMessage",
	"DeleteMessageBatch":           "DeleteMessage",
	"ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}

type sqsRequest struct {
	QueueURL   string `json:"QueueUrl"`
	QueueName  string `json:"QueueName"`
	QueueOwner string `json:"QueueOwnerAWSAccountId"`
}

// sqsJSONChecks decodes a JSON-protocol SQS request.
func sqsJSONChecks(m *model, op string, body []byte) ([]check, *awsError) {
	var q sqsRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &q); err != nil {
			return nil, serializationError("malformed SQS request")
		}
	}
	return []check{sqsCheck(m, op, q)}, nil
}

// sqsQueryChecks reads a query-protocol SQS request; the queue URL is a
// parameter or, for older clients, the request path.
func sqsQueryChecks(m *model, op string, form url.Values, path string) []check {
	q := sqsRequest{QueueURL: form.Get("QueueUrl"), QueueName: form.Get("QueueName"), QueueOwner: form.Get("QueueOwnerAWSAccountId")}
	if q.QueueURL == "" && path != "" && path != "/" {
		q.QueueURL = path
	}
	return []check{sqsCheck(m, op, q)}
}

func sqsCheck(m *model, op string, q sqsRequest) check {
	action := op
	if a, ok := sqsBatchActions[op]; ok {
		action = a
	}
	ch := check{action: "sqs:" + action, resource: "*"}
	switch {
	case q.QueueURL != "":
		ch.resource = m.queueARN(q.QueueURL)
	case q.QueueName != "":
		ch.resource = m.queueARN(q.QueueName)
		if q.QueueOwner != "" {
			ch.resource = m.arnIn("sqs", q.QueueOwner, q.QueueName)
		}
	}
	return ch
}

// arnIn builds an ARN in another account of this partition and region.
func (m *model) arnIn(service, account, resource string) string {
	return "arn:" + m.partition + ":" + service + ":" + m.region + ":" + account + ":" + resource
}
