package audit_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// itemText joins every string in a raw item, however nested.
func itemText(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value + "\n"
	case *types.AttributeValueMemberM:
		var b strings.Builder
		for k, x := range v.Value {
			b.WriteString(k + "\n" + itemText(x))
		}
		return b.String()
	case *types.AttributeValueMemberL:
		var b strings.Builder
		for _, x := range v.Value {
			b.WriteString(itemText(x))
		}
		return b.String()
	}
	return ""
}

func TestCredentialsInDiffsNeverReachTheTable(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := newStore()
	got, err := st.Append(ctx, sc.DynamoDB, audit.Entry{
		Org: org, Actor: "usr_a", ActorKind: audit.ActorMember, Action: "key.put", TargetType: "provider_key", TargetID: "openai",
		UserAgent: "script Authorization: Bearer " + openAIKey,
		Before:    map[string]any{"last4": "qVt0", "key": openAIKey, "password": password},
		After: map[string]any{
			"note":            "rotated; old token " + tollgateToken + " revoked",
			"nested":          map[string]any{"tokens": []any{tollgateToken, "fine"}, "client_secret": password},
			tollgateToken:     "a credential as a key",
			"kept":            "plain text survives",
			"number_survives": 42,
			"raw_json":        json.RawMessage(`{"k":"` + openAIKey + `"}`),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	whole := itemText(&types.AttributeValueMemberM{Value: rawItem(t, sc.DynamoDB, got)})
	returned, _ := json.Marshal(got)
	for _, text := range []string{whole, string(returned)} {
		for _, secret := range []string{openAIKey, tollgateToken, password, openAIKey[8:], tollgateToken[4:]} {
			if strings.Contains(text, secret) {
				t.Fatalf("secret %q reached the stored item or the returned entry:\n%s", secret, text)
			}
		}
		if scrub.Contains(text) {
			t.Fatalf("a credential shape remains:\n%s", text)
		}
	}
	if !strings.Contains(whole, "plain text survives") || !strings.Contains(whole, "qVt0") || !strings.Contains(whole, "[REDACTED") {
		t.Fatalf("redaction removed too much or nothing:\n%s", whole)
	}
	if got.After["number_survives"] != json.Number("42") {
		t.Fatalf("numbers are not kept exactly: %#v", got.After["number_survives"])
	}
}

func TestDiffsAreCappedAt8KiB(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := newStore()
	big := map[string]any{"policy": strings.Repeat("x", audit.MaxDiffBytes)}
	small := map[string]any{"limit": "100"}
	got, err := st.Append(ctx, sc.DynamoDB, audit.Entry{Org: org, Actor: "usr_a", ActorKind: audit.ActorMember,
		Action: "settings.set", Before: big, After: small})
	if err != nil {
		t.Fatal(err)
	}
	if got.Before[audit.TruncatedKey] != true || got.Before[audit.SizeKey] != json.Number("8205") {
		t.Fatalf("oversized before stored as %v", got.Before)
	}
	if got.After["limit"] != "100" {
		t.Fatalf("small after changed: %v", got.After)
	}
	raw := rawItem(t, sc.DynamoDB, got)
	if b := raw["before"].(*types.AttributeValueMemberS).Value; len(b) > audit.MaxDiffBytes {
		t.Fatalf("stored before is %d bytes", len(b))
	}
	listed, _, err := st.List(ctx, sc.DynamoDB, org, audit.Filter{})
	if err != nil || len(listed) != 1 || listed[0].Before[audit.TruncatedKey] != true {
		t.Fatalf("listed %v, %v", listed, err)
	}
	// Exactly at the cap is kept.
	exact := map[string]any{"p": strings.Repeat("y", audit.MaxDiffBytes-len(`{"p":""}`))}
	got, err = st.Append(ctx, sc.DynamoDB, audit.Entry{Org: org, Actor: "usr_a", ActorKind: audit.ActorMember,
		Action: "settings.set", After: exact})
	if err != nil || got.After["p"] != exact["p"] {
		t.Fatalf("a side of exactly 8 KiB was not kept: %v", err)
	}
}
