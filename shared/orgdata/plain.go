package orgdata

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// secretAttr reports whether an attribute must never leave the table in an
// export: sealed ciphertexts (useless to the org, and a target if the export
// leaks), token hashes (a hash is what a lookup is keyed by) and wrapped
// data keys.
func secretAttr(name string) bool {
	switch name {
	case "hash", "prev_hash", "wrapped":
		return true
	}
	return strings.HasPrefix(name, "sealed_")
}

// plainItem renders an item as plain JSON values without its secrets.
func plainItem(it map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(it))
	for k, v := range it {
		if secretAttr(k) {
			continue
		}
		if p, ok := plainValue(v); ok {
			out[k] = p
		}
	}
	return out
}

// plainValue converts one attribute value: numbers stay numbers (exact, as
// json.Number), sets become arrays, binaries base64 strings. A string that
// is a sealed secret is dropped whatever its attribute is called, so a new
// sealed field cannot leak through an export by its name alone.
func plainValue(v types.AttributeValue) (any, bool) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		if _, err := secrets.KeyID(v.Value); err == nil {
			return nil, false
		}
		return v.Value, true
	case *types.AttributeValueMemberN:
		return json.Number(v.Value), true
	case *types.AttributeValueMemberB:
		return v.Value, true
	case *types.AttributeValueMemberBOOL:
		return v.Value, true
	case *types.AttributeValueMemberNULL:
		return nil, true
	case *types.AttributeValueMemberSS:
		out := make([]string, 0, len(v.Value))
		for _, s := range v.Value {
			if _, err := secrets.KeyID(s); err != nil {
				out = append(out, s)
			}
		}
		return out, true
	case *types.AttributeValueMemberNS:
		out := make([]json.Number, len(v.Value))
		for i, n := range v.Value {
			out[i] = json.Number(n)
		}
		return out, true
	case *types.AttributeValueMemberBS:
		return v.Value, true
	case *types.AttributeValueMemberL:
		out := make([]any, 0, len(v.Value))
		for _, e := range v.Value {
			if p, ok := plainValue(e); ok {
				out = append(out, p)
			}
		}
		return out, true
	case *types.AttributeValueMemberM:
		return plainItem(v.Value), true
	}
	return nil, false
}
