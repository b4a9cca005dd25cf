// Package sqspoll emulates, for local runs, the Lambda event source mapping
// that AWS runs between an SQS queue and a function configured with
// FunctionResponseTypes: [ReportBatchItemFailures].
//
// In AWS nothing in the code base polls the queue: Lambda does, and the
// function only ever sees an events.SQSEvent and answers with an
// events.SQSEventResponse. Tests and the local runner have no such service,
// so a Poller plays its part with the same contract:
//
//   - it long-polls ReceiveMessage (up to BatchSize messages, every system
//     attribute and message attribute), optionally overriding the queue's
//     visibility timeout so that retries come round quickly in tests;
//   - it hands the batch to the function as the JSON Lambda sends;
//   - on success it deletes every message the response does not list in
//     batchItemFailures and leaves the listed ones to reappear after their
//     visibility timeout, so the queue's redrive policy moves a message that
//     keeps failing to the dead-letter queue, as in AWS;
//   - it deletes nothing when the invocation fails or when the response
//     breaks AWS's rules (invalid JSON, an empty itemIdentifier, or one that
//     is not in the batch): the whole batch is then retried.
//
// Delivery is at least once, as in AWS. A Poller never logs message bodies or
// attributes, only message IDs and counts.
package sqspoll
