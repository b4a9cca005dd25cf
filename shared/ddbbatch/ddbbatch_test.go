package ddbbatch

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// stingy leaves the last item of every request unprocessed `times` times,
// as DynamoDB does under throttling.
type stingy struct {
	times    int
	requests []int
	deleted  map[string]bool
}

func (s *stingy) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	reqs := in.RequestItems["t"]
	s.requests = append(s.requests, len(reqs))
	if len(reqs) > MaxBatch {
		return nil, errors.New("ValidationException: too many items")
	}
	done := reqs
	out := &dynamodb.BatchWriteItemOutput{}
	if s.times > 0 {
		s.times--
		done = reqs[:len(reqs)-1]
		out.UnprocessedItems = map[string][]types.WriteRequest{"t": reqs[len(reqs)-1:]}
	}
	for _, r := range done {
		s.deleted[r.DeleteRequest.Key["pk"].(*types.AttributeValueMemberS).Value] = true
	}
	return out, nil
}

func keys(n int) []map[string]types.AttributeValue {
	out := make([]map[string]types.AttributeValue, n)
	for i := range out {
		out[i] = map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: fmt.Sprint(i)}}
	}
	return out
}

func TestDelete(t *testing.T) {
	var waited []time.Duration
	wait = func(_ context.Context, d time.Duration) error { waited = append(waited, d); return nil }
	defer func() { wait = sleep }()
	for _, c := range []struct {
		name        string
		n, stingy   int
		wantErr     error
		wantDeleted int
	}{
		{"empty", 0, 0, nil, 0},
		{"one batch", 25, 0, nil, 25},
		{"batches of 25", 60, 0, nil, 60},
		{"unprocessed resent", 30, 3, nil, 30},
		{"gives up", 5, 100, ErrUnprocessed, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := &stingy{times: c.stingy, deleted: map[string]bool{}}
			err := Delete(context.Background(), db, "t", keys(c.n))
			if !errors.Is(err, c.wantErr) || len(db.deleted) != c.wantDeleted {
				t.Fatalf("err %v, deleted %d (requests %v)", err, len(db.deleted), db.requests)
			}
			if c.stingy > 0 && len(waited) == 0 {
				t.Fatal("resent without backing off")
			}
			for _, r := range db.requests {
				if r > MaxBatch {
					t.Fatalf("a request of %d items", r)
				}
			}
		})
	}
}
