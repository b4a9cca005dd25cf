package sqspoll

import (
	"errors"
	"maps"
	"slices"
	"testing"
)

// TestFailedItems covers Lambda's rules for reading a partial batch
// response, including the answers that fail the whole batch.
func TestFailedItems(t *testing.T) {
	batch := map[string]bool{"a": true, "b": true, "c": true}
	cases := []struct {
		name      string
		resp      string
		want      []string
		wholeFail bool
	}{
		{"empty body", "", nil, false},
		{"whitespace", " \n", nil, false},
		{"null", "null", nil, false},
		{"empty object", "{}", nil, false},
		{"null list", `{"batchItemFailures":null}`, nil, false},
		{"empty list", `{"batchItemFailures":[]}`, nil, false},
		{"unrelated keys", `{"status":"ok"}`, nil, false},
		{"some failed", `{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"c"}]}`, []string{"a", "c"}, false},
		{"duplicate entry", `{"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"b"}]}`, []string{"b"}, false},
		{"all failed", `{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"},{"itemIdentifier":"c"}]}`, []string{"a", "b", "c"}, false},
		{"invalid JSON", `{"batchItemFailures":`, nil, true},
		{"not an object", `"done"`, nil, true},
		{"wrong list type", `{"batchItemFailures":"a"}`, nil, true},
		{"empty identifier", `{"batchItemFailures":[{"itemIdentifier":""}]}`, nil, true},
		{"null identifier", `{"batchItemFailures":[{"itemIdentifier":null}]}`, nil, true},
		{"misspelled key", `{"batchItemFailures":[{"itemId":"a"}]}`, nil, true},
		{"unknown identifier", `{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"z"}]}`, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := failedItems([]byte(tc.resp), batch)
			if tc.wholeFail {
				if !errors.Is(err, errWholeBatch) {
					t.Fatalf("err %v, want the whole batch failed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, tc.want) {
				t.Errorf("failed %v, want %v", ids, tc.want)
			}
		})
	}
}
