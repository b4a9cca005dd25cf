package bench

import (
	"encoding/base64"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB bills writes per started KiB of item and reads per started
// 4 KiB; transactional items cost twice, eventually consistent reads half.
const (
	writeUnitBytes = 1024
	readUnitBytes  = 4096
)

// writeUnits is the write request units one item write costs.
func writeUnits(size int, transactional bool) float64 {
	u := float64(max(1, (size+writeUnitBytes-1)/writeUnitBytes))
	if transactional {
		u *= 2
	}
	return u
}

// readUnits is the read request units reading size bytes costs (at least
// one unit, even when nothing was found).
func readUnits(size int, consistent, transactional bool) float64 {
	u := float64(max(1, (size+readUnitBytes-1)/readUnitBytes))
	switch {
	case transactional:
		u *= 2
	case !consistent:
		u /= 2
	}
	return u
}

// wireItemSize is the size DynamoDB bills for an item in its JSON wire
// form ({"name": {"S": "…"}, …}): attribute names plus values.
func wireItemSize(item map[string]any) int {
	n := 0
	for name, v := range item {
		n += len(name) + wireValueSize(v)
	}
	return n
}

func wireValueSize(v any) int {
	m, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	for typ, x := range m {
		switch typ {
		case "S":
			s, _ := x.(string)
			return len(s)
		case "N":
			s, _ := x.(string)
			return numberSize(s)
		case "B":
			s, _ := x.(string)
			return base64.StdEncoding.DecodedLen(len(s))
		case "BOOL", "NULL":
			return 1
		case "SS", "NS", "BS":
			l, _ := x.([]any)
			n := 0
			for _, e := range l {
				s, _ := e.(string)
				switch typ {
				case "NS":
					n += numberSize(s)
				case "BS":
					n += base64.StdEncoding.DecodedLen(len(s))
				default:
					n += len(s)
				}
			}
			return n
		case "L":
			l, _ := x.([]any)
			n := 3
			for _, e := range l {
				n += 1 + wireValueSize(e)
			}
			return n
		case "M":
			mm, _ := x.(map[string]any)
			n := 3
			for k, e := range mm {
				n += len(k) + 1 + wireValueSize(e)
			}
			return n
		}
	}
	return 0
}

// itemSize is wireItemSize for an item read with the SDK.
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return numberSize(x.Value)
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range x.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range x.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += len(k) + 1 + valueSize(e)
		}
		return n
	}
	return 0
}

// numberSize is DynamoDB's size of a number: one byte per two significant
// digits, plus one.
func numberSize(s string) int {
	s = strings.TrimLeft(s, "+-")
	if mant, _, ok := strings.Cut(strings.ToLower(s), "e"); ok {
		s = mant
	}
	s = strings.ReplaceAll(s, ".", "")
	s = strings.Trim(s, "0")
	return (len(s)+1)/2 + 1
}
