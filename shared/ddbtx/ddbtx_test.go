package ddbtx

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func reasons(codes ...string) *types.TransactionCanceledException {
	tce := &types.TransactionCanceledException{}
	for _, c := range codes {
		tce.CancellationReasons = append(tce.CancellationReasons, types.CancellationReason{Code: aws.String(c)})
	}
	return tce
}

func TestConflictOnly(t *testing.T) {
	cases := []struct {
		tce  *types.TransactionCanceledException
		want bool
	}{
		{reasons("None", "TransactionConflict"), true},
		{reasons("TransactionConflict", "ConditionalCheckFailed"), false},
		{reasons("None", "None"), false},
		{reasons("ThrottlingError"), false},
	}
	for i, c := range cases {
		if got := ConflictOnly(c.tce); got != c.want {
			t.Errorf("case %d: got %v", i, got)
		}
	}
	if !Failed(reasons("None", "ConditionalCheckFailed"), 1) || Failed(reasons("None"), 1) || Failed(reasons("None"), 0) {
		t.Fatal("Failed misreads reasons")
	}
}
