package bench

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestUnits(t *testing.T) {
	tests := []struct {
		name        string
		size        int
		tx, consist bool
		write, read float64
	}{
		{"tiny item", 100, false, true, 1, 1},
		{"exactly one KiB", 1024, false, true, 1, 1},
		{"just over one KiB", 1025, false, true, 2, 1},
		{"in a transaction", 100, true, true, 2, 2},
		{"eventually consistent read", 5000, false, false, 5, 1},
		{"nothing found still costs a unit", 0, false, true, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := writeUnits(tt.size, tt.tx); got != tt.write {
				t.Errorf("writeUnits = %v, want %v", got, tt.write)
			}
			if got := readUnits(tt.size, tt.consist, tt.tx); got != tt.read {
				t.Errorf("readUnits = %v, want %v", got, tt.read)
			}
		})
	}
}

func TestNumberSize(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"0", 1},
		{"7", 2},
		{"42", 2},
		{"123", 3},
		{"-1000", 2},
		{"12.5", 3},
		{"1795477785", 6},
	}
	for _, tt := range tests {
		if got := numberSize(tt.in); got != tt.want {
			t.Errorf("numberSize(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// TestItemSizeWireAndSDKAgree: the meter sizes items from the wire and
// reads updated items back with the SDK; both must bill the same item alike.
func TestItemSizeWireAndSDKAgree(t *testing.T) {
	tests := []struct {
		name string
		wire string
		sdk  map[string]types.AttributeValue
		want int
	}{
		{"strings and numbers", `{"pk":{"S":"ORG#1"},"n":{"N":"1234"}}`,
			map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#1"}, "n": &types.AttributeValueMemberN{Value: "1234"}},
			2 + 5 + 1 + 3},
		{"list and map", `{"l":{"L":[{"S":"ab"},{"BOOL":true}]},"m":{"M":{"k":{"S":"v"}}}}`,
			map[string]types.AttributeValue{
				"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "ab"}, &types.AttributeValueMemberBOOL{Value: true}}},
				"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: "v"}}}},
			1 + 3 + (1 + 2) + (1 + 1) + 1 + 3 + (1 + 1 + 1)},
		{"string set and binary", `{"ss":{"SS":["a","bc"]},"b":{"B":"AAEC"}}`,
			map[string]types.AttributeValue{"ss": &types.AttributeValueMemberSS{Value: []string{"a", "bc"}}, "b": &types.AttributeValueMemberB{Value: []byte{0, 1, 2}}},
			2 + 3 + 1 + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var item map[string]any
			if err := json.Unmarshal([]byte(tt.wire), &item); err != nil {
				t.Fatal(err)
			}
			if got := wireItemSize(item); got != tt.want {
				t.Errorf("wire size %d, want %d", got, tt.want)
			}
			if got := itemSize(tt.sdk); got != tt.want {
				t.Errorf("SDK size %d, want %d", got, tt.want)
			}
		})
	}
}

func TestMeterCountsTransactionItems(t *testing.T) {
	m, err := newMeter("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	put := `{"TransactItems":[{"Put":{"TableName":"t","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"v":{"N":"1"}}}},` +
		`{"Update":{"TableName":"t","Key":{"pk":{"S":"c"},"sk":{"S":"d"}}}}]}`
	del := `{"TransactItems":[{"Delete":{"TableName":"t","Key":{"pk":{"S":"a"},"sk":{"S":"b"}}}}]}`
	tests := []struct {
		name string
		op   string
		body string
		want []itemWrite
	}{
		{"put and update", "TransactWriteItems", put, []itemWrite{{"a|b", 9, true}, {"c|d", -1, true}}},
		{"delete of an item put earlier has its size", "TransactWriteItems", del, []itemWrite{{"a|b", 9, true}}},
		{"single update", "UpdateItem", `{"Key":{"pk":{"S":"x"},"sk":{"S":"y"}}}`, []itemWrite{{"x|y", -1, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := m.dynamoUnits(tt.op, []byte(tt.body), []byte(`{}`))
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("write %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestMeterReadUnits(t *testing.T) {
	m, err := newMeter("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		op         string
		body, resp string
		want       float64
	}{
		{"consistent get", "GetItem", `{"ConsistentRead":true}`, `{"Item":{"pk":{"S":"a"}}}`, 1},
		{"eventually consistent get", "GetItem", `{}`, `{"Item":{"pk":{"S":"a"}}}`, 0.5},
		{"query of nothing", "Query", `{"ConsistentRead":true}`, `{"Items":[]}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := m.dynamoUnits(tt.op, []byte(tt.body), []byte(tt.resp)); got != tt.want {
				t.Errorf("read units %v, want %v", got, tt.want)
			}
		})
	}
}
