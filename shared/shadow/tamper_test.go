package shadow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/shadow"
)

func sampleKey(org, ws, alias, ref string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "ORG#" + org + "#SHADOW#" + ws + "#" + alias},
		"sk": &types.AttributeValueMemberS{Value: ref}}
}

// A sealed document opens only as the sample it was sealed for.
func TestMovedOrAlteredBlobFails(t *testing.T) {
	ctx := context.Background()
	o, clk := newOrg(t), newClock()
	st := newStore(clk)
	db := o.sc.DynamoDB
	ws, ws2 := id.New(id.Workspace), id.New(id.Workspace)
	mkA := marker()
	put := func(ws, alias, mk string) shadow.Sample {
		t.Helper()
		s, err := st.Put(ctx, db, o.keys, o.id, sample(ws, alias, mk))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := put(ws, alias, mkA), put(ws, alias, "b")
	sealedA := rawGet(t, sampleKey(o.id, ws, alias, a.Key()))["sealed"]
	unreadable := func(what, ws, alias, ref string) {
		t.Helper()
		_, err := st.Open(ctx, db, o.keys, o.id, ws, alias, ref)
		if code(err) != shadow.CodeUnreadable || !errors.Is(err, secrets.ErrUnreadable) {
			t.Fatalf("%s: %v", what, err)
		}
		if strings.Contains(err.Error(), mkA) || strings.Contains(err.Error(), "lorem") {
			t.Fatalf("%s: the error quotes the sample", what)
		}
	}

	// A's blob copied into B's item.
	tamper(t, sampleKey(o.id, ws, alias, b.Key()), sampleKey(o.id, ws, alias, b.Key()), map[string]types.AttributeValue{"sealed": sealedA})
	unreadable("blob copied to another sample", ws, alias, b.Key())

	// A's whole item copied under another alias and another workspace, its
	// attributes rewritten to match: the seal still names A's place.
	tamper(t, sampleKey(o.id, ws, alias, a.Key()), sampleKey(o.id, ws, "other-alias", a.Key()), map[string]types.AttributeValue{
		"alias": &types.AttributeValueMemberS{Value: "other-alias"}})
	unreadable("item moved to another alias", ws, "other-alias", a.Key())
	tamper(t, sampleKey(o.id, ws, alias, a.Key()), sampleKey(o.id, ws2, alias, a.Key()), map[string]types.AttributeValue{
		"workspace": &types.AttributeValueMemberS{Value: ws2}})
	unreadable("item moved to another workspace", ws2, alias, a.Key())

	// An altered blob.
	c := put(ws, alias, "c")
	raw := []byte(rawGet(t, sampleKey(o.id, ws, alias, c.Key()))["sealed"].(*types.AttributeValueMemberS).Value)
	i := len(raw) - 10
	raw[i] = map[bool]byte{true: 'B', false: 'A'}[raw[i] == 'A']
	tamper(t, sampleKey(o.id, ws, alias, c.Key()), sampleKey(o.id, ws, alias, c.Key()), map[string]types.AttributeValue{
		"sealed": &types.AttributeValueMemberS{Value: string(raw)}})
	unreadable("altered blob", ws, alias, c.Key())

	// An item whose clear attributes disagree with its key is corrupt.
	d := put(ws, alias, "d")
	tamper(t, sampleKey(o.id, ws, alias, d.Key()), sampleKey(o.id, ws, alias, d.Key()), map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: a.ID}})
	if _, err := st.Open(ctx, db, o.keys, o.id, ws, alias, d.Key()); code(err) != shadow.CodeCorrupt {
		t.Fatalf("id not matching the key: %v", err)
	}

	// A itself still opens.
	got, err := st.Open(ctx, db, o.keys, o.id, ws, alias, a.Key())
	if err != nil || !strings.Contains(got.Output, mkA) {
		t.Fatalf("a: %v", err)
	}
}

// Another org's scoped session reaches none of it: the TenantRole policy
// refuses the keys, whatever the store is asked.
func TestOtherOrgCannotReach(t *testing.T) {
	ctx := context.Background()
	a, b, clk := newOrg(t), newOrg(t), newClock()
	st := newStore(clk)
	ws := id.New(id.Workspace)
	s, err := st.Put(ctx, a.sc.DynamoDB, a.keys, a.id, sample(ws, alias, "private"))
	if err != nil {
		t.Fatal(err)
	}
	denied := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
			t.Fatalf("org B %s: %v", what, err)
		}
	}
	bdb := b.sc.DynamoDB
	_, err = st.Open(ctx, bdb, a.keys, a.id, ws, alias, s.Key())
	denied("opening org A's sample", err)
	_, err = st.List(ctx, bdb, a.id, ws, alias, 0)
	denied("listing org A's samples", err)
	denied("deleting org A's sample", st.Delete(ctx, bdb, a.id, ws, alias, s.Key()))
	_, err = st.Put(ctx, bdb, a.keys, a.id, sample(ws, alias, "forged"))
	denied("writing into org A's partition", err)
	// And directly, around the store.
	_, err = bdb.GetItem(ctx, &dynamodb.GetItemInput{TableName: &stack.TableName, Key: sampleKey(a.id, ws, alias, s.Key())})
	denied("getting org A's item", err)

	// Org B's keys are refused for org A before anything is opened.
	if _, err := st.Open(ctx, a.sc.DynamoDB, b.keys, a.id, ws, alias, s.Key()); code(err) != "opener_org_mismatch" {
		t.Fatalf("org B's keys: %v", err)
	}
	// Org A's sample is intact.
	if l, err := st.List(ctx, a.sc.DynamoDB, a.id, ws, alias, 0); err != nil || len(l) != 1 {
		t.Fatalf("org A's list: %+v %v", l, err)
	}
	if _, err := st.Open(ctx, a.sc.DynamoDB, a.keys, a.id, ws, alias, s.Key()); err != nil {
		t.Fatalf("org A's sample: %v", err)
	}
}
