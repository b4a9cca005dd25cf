package auth

import (
	"reflect"
	"testing"
	"time"
)

func TestLookupItemRoundTrip(t *testing.T) {
	until := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, p := range []Principal{
		{Org: "org_a", Workspace: "ws_a", TokenID: "tok_a", Scopes: []string{ScopeInference}, CapNano: 5, RPM: 6, TPM: 7},
		{Org: "org_a", Workspace: "ws_a", TokenID: "tok_b", Member: "usr_a", Scopes: []string{ScopeRead, ScopeAdmin}},
	} {
		item := LookupItem(Hash("x"), p, until)
		if _, ok := item["member"]; ok != (p.Member != "") {
			t.Fatalf("member attribute present=%v for %+v", ok, p)
		}
		got, err := principalFromItem(item)
		if err != nil {
			t.Fatal(err)
		}
		want := p
		want.Expires = until
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", *got, want)
		}
	}
}
