package dataset_test

import (
	"context"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// replayingDB sends every chunk write twice, as the SDK does when the
// answer to a write that landed is lost, and returns the second answer
// (or, with tamper, first writes a different chunk at the same key).
type replayingDB struct {
	dataset.DB
	tamper bool
}

func (d replayingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	sk, _ := in.Item["sk"].(*types.AttributeValueMemberS)
	if sk == nil || !strings.HasPrefix(sk.Value, "CHUNK#") {
		return d.DB.PutItem(ctx, in, opts...)
	}
	first := in
	if d.tamper {
		copied := *in
		copied.Item = maps.Clone(in.Item)
		copied.Item["data"] = &types.AttributeValueMemberS{Value: "another upload's sealed bytes"}
		first = &copied
	}
	if _, err := d.DB.PutItem(ctx, first, opts...); err != nil {
		return nil, err
	}
	return d.DB.PutItem(ctx, in, opts...)
}

func TestReplayedChunkWriteIsNotAConflict(t *testing.T) {
	ctx := context.Background()
	o, st := newOrg(t), newStore()
	ws := id.New(id.Workspace)
	want := items(40, "replay")
	m, err := st.Put(ctx, replayingDB{DB: o.sc.DynamoDB}, o.keys, o.id, ws, "replayed", want)
	if err != nil {
		t.Fatalf("a replayed write of our own chunk must succeed: %v", err)
	}
	got, err := st.Items(ctx, o.sc.DynamoDB, o.keys, o.id, ws, m.ID)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("items after a replayed write: %v", err)
	}
	// A chunk at the same key holding other bytes is still a conflict.
	_, err = st.Put(ctx, replayingDB{DB: o.sc.DynamoDB, tamper: true}, o.keys, o.id, ws, "collided", want)
	if apperr.As(err).Code != "dataset_exists" {
		t.Fatalf("a foreign chunk at the key: %v", err)
	}
}
