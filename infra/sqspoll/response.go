package sqspoll

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// errWholeBatch marks a response that, by AWS's rules, fails the whole batch.
var errWholeBatch = errors.New("response fails the whole batch")

// failedItems reads a function's response the way Lambda does for
// ReportBatchItemFailures and returns the IDs of the messages to keep.
//
// An empty body, null, {} and an empty or null batchItemFailures all mean
// every message succeeded. Invalid JSON, or an entry whose itemIdentifier is
// missing, empty or not a message of the batch, fails the whole batch: the
// error then wraps errWholeBatch and the caller must delete nothing.
func failedItems(resp []byte, batch map[string]bool) (map[string]bool, error) {
	resp = bytes.TrimSpace(resp)
	if len(resp) == 0 {
		return nil, nil
	}
	var r events.SQSEventResponse
	if err := json.Unmarshal(resp, &r); err != nil {
		// json's own messages quote bits of the input; say only where.
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("%w: invalid JSON at byte %d", errWholeBatch, syn.Offset)
		}
		return nil, fmt.Errorf("%w: JSON is not a batch response object", errWholeBatch)
	}
	if len(r.BatchItemFailures) == 0 {
		return nil, nil
	}
	failed := make(map[string]bool, len(r.BatchItemFailures))
	for i, f := range r.BatchItemFailures {
		switch {
		case f.ItemIdentifier == "":
			return nil, fmt.Errorf("%w: batchItemFailures[%d] has no itemIdentifier", errWholeBatch, i)
		case !batch[f.ItemIdentifier]:
			// The identifier itself is not quoted: it is whatever the
			// function wrote, and logs carry no message content.
			return nil, fmt.Errorf("%w: batchItemFailures[%d] names a message that is not in the batch", errWholeBatch, i)
		}
		failed[f.ItemIdentifier] = true
	}
	return failed, nil
}
