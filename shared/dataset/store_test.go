package dataset_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// items returns n varied items, each holding tag in its text.
func items(n int, tag string) []dataset.Item {
	out := make([]dataset.Item, n)
	for i := range out {
		it := dataset.Item{Messages: []chat.Message{
			{Role: chat.RoleUser, Content: chat.TextContent(fmt.Sprintf("%s question %d: <b>é</b> & \u2028 \"quoted\"\n%s", tag, i, strings.Repeat("lorem ipsum ", 80)))},
		}}
		if i%3 == 0 {
			it.Messages = append([]chat.Message{
				{Role: chat.RoleSystem, Content: chat.TextContent("be brief " + tag)},
				{Role: chat.RoleUser, Content: chat.TextContent("earlier")},
				{Role: chat.RoleAssistant, Content: chat.TextContent("")},
			}, it.Messages...)
		}
		if i%2 == 0 {
			it.Reference = fmt.Sprintf("answer %d %s", i, tag)
			it.Tags = map[string]string{"split": "even", "n": fmt.Sprint(i)}
		}
		out[i] = it
	}
	return out
}

func direct() *dynamodb.Client { return dynamodb.NewFromConfig(stack.DirectDynamoDBConfig()) }

func code(err error) string { return apperr.As(err).Code }

func TestRoundTripAndNoTextInTable(t *testing.T) {
	ctx := context.Background()
	o, st := newOrg(t), newStore()
	ws := id.New(id.Workspace)
	marker := "PLAINTEXT-MARKER-" + id.New("")
	want := items(3000, marker)
	m, err := st.Put(ctx, o.sc.DynamoDB, o.keys, o.id, ws, "support tickets", want)
	if err != nil {
		t.Fatal(err)
	}
	if m.Items != 3000 || m.Chunks < 2 || m.Bytes <= 0 || len(m.SHA256) != 64 || !id.Valid(dataset.IDPrefix, m.ID) {
		t.Fatalf("meta %+v", m)
	}
	got, err := st.Items(ctx, o.sc.DynamoDB, o.keys, o.id, ws, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("items differ after a round trip")
	}
	// The same items give the same digest: it names the content.
	again, err := st.Put(ctx, o.sc.DynamoDB, o.keys, o.id, ws, "copy", want[:10])
	if err != nil {
		t.Fatal(err)
	}
	again2, err := st.Put(ctx, o.sc.DynamoDB, o.keys, o.id, ws, "copy 2", want[:10])
	if err != nil || again.SHA256 != again2.SHA256 || again.SHA256 == m.SHA256 {
		t.Fatalf("digests %s %s %s %v", again.SHA256, again2.SHA256, m.SHA256, err)
	}

	// Nothing of the text is in the table: every chunk is sealed.
	p := dynamodb.NewScanPaginator(direct(), &dynamodb.ScanInput{TableName: aws.String(stack.TableName)})
	chunks := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			if pk := it["pk"].(*types.AttributeValueMemberS).Value; strings.HasPrefix(pk, "ORG#"+o.id+"#DS#"+m.ID) {
				chunks++
			}
			for name, av := range it {
				var raw []byte
				switch x := av.(type) {
				case *types.AttributeValueMemberS:
					raw = []byte(x.Value)
				case *types.AttributeValueMemberB:
					raw = x.Value
				}
				if bytes.Contains(raw, []byte(marker)) || bytes.Contains(raw, []byte("lorem ipsum")) {
					t.Fatalf("dataset text found in attribute %s", name)
				}
			}
		}
	}
	if chunks != m.Chunks {
		t.Fatalf("scanned %d chunks, meta says %d", chunks, m.Chunks)
	}
}

func TestListGetDelete(t *testing.T) {
	ctx := context.Background()
	o, st := newOrg(t), newStore()
	ws, other := id.New(id.Workspace), id.New(id.Workspace)
	db := o.sc.DynamoDB
	if l, err := st.List(ctx, db, o.id, ws); err != nil || len(l) != 0 {
		t.Fatalf("empty list: %+v %v", l, err)
	}
	a, err := st.Put(ctx, db, o.keys, o.id, ws, "a", items(2, "a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Put(ctx, db, o.keys, o.id, ws, "b", items(400, "b"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, db, o.keys, o.id, other, "c", items(1, "c")); err != nil {
		t.Fatal(err)
	}
	l, err := st.List(ctx, db, o.id, ws)
	if err != nil || len(l) != 2 {
		t.Fatalf("list: %+v %v", l, err)
	}
	byID := map[string]dataset.Meta{l[0].ID: l[0], l[1].ID: l[1]}
	if byID[a.ID].Name != "a" || byID[b.ID].Items != 400 || l[0].ID > l[1].ID {
		t.Fatalf("list: %+v", l)
	}
	if g, err := st.Get(ctx, db, o.id, ws, b.ID); err != nil || !reflect.DeepEqual(g, b) || !g.Created.Equal(b.Created) {
		t.Fatalf("get: %+v %v (want %+v)", g, err, b)
	}
	// Another workspace of the same org neither sees nor deletes it.
	if _, err := st.Get(ctx, db, o.id, other, b.ID); code(err) != "dataset_not_found" {
		t.Fatalf("get through another workspace: %v", err)
	}
	if _, err := st.Items(ctx, db, o.keys, o.id, other, b.ID); code(err) != "dataset_not_found" {
		t.Fatalf("items through another workspace: %v", err)
	}
	if err := st.Delete(ctx, db, o.id, other, b.ID); code(err) != "dataset_not_found" {
		t.Fatalf("delete through another workspace: %v", err)
	}
	if got, err := st.Items(ctx, db, o.keys, o.id, ws, b.ID); err != nil || len(got) != 400 {
		t.Fatalf("b after a foreign delete: %d %v", len(got), err)
	}
	// Delete removes the meta and every chunk.
	if err := st.Delete(ctx, db, o.id, ws, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, db, o.id, ws, b.ID); code(err) != "dataset_not_found" {
		t.Fatalf("get after delete: %v", err)
	}
	if _, err := st.Items(ctx, db, o.keys, o.id, ws, b.ID); code(err) != "dataset_not_found" {
		t.Fatalf("items after delete: %v", err)
	}
	if n := countChunks(t, o.id, b.ID); n != 0 {
		t.Fatalf("%d chunks left", n)
	}
	if err := st.Delete(ctx, db, o.id, ws, b.ID); code(err) != "dataset_not_found" {
		t.Fatalf("second delete: %v", err)
	}
	if l, err := st.List(ctx, db, o.id, ws); err != nil || len(l) != 1 || l[0].ID != a.ID {
		t.Fatalf("list after delete: %+v %v", l, err)
	}
	for _, bad := range []string{"", "ds_x", "ds_" + strings.Repeat("a", 19) + "#", id.New(id.Org)} {
		if _, err := st.Get(ctx, db, o.id, ws, bad); code(err) != "dataset_not_found" {
			t.Fatalf("get %q: %v", bad, err)
		}
	}
}

// A Put that crashed after its chunks leaves no listed dataset, and Delete
// sweeps what it wrote.
func TestDeleteSweepsChunksWithoutMeta(t *testing.T) {
	ctx := context.Background()
	o, st := newOrg(t), newStore()
	ws := id.New(id.Workspace)
	m, err := st.Put(ctx, o.sc.DynamoDB, o.keys, o.id, ws, "crashed", items(300, "x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := direct().DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(stack.TableName),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "ORG#" + o.id + "#DSMETA#" + ws},
			"sk": &types.AttributeValueMemberS{Value: m.ID}}}); err != nil {
		t.Fatal(err)
	}
	if l, err := st.List(ctx, o.sc.DynamoDB, o.id, ws); err != nil || len(l) != 0 {
		t.Fatalf("list: %+v %v", l, err)
	}
	if countChunks(t, o.id, m.ID) != m.Chunks {
		t.Fatal("chunks missing before the sweep")
	}
	if err := st.Delete(ctx, o.sc.DynamoDB, o.id, ws, m.ID); err != nil {
		t.Fatal(err)
	}
	if n := countChunks(t, o.id, m.ID); n != 0 {
		t.Fatalf("%d chunks left", n)
	}
}

func countChunks(t *testing.T, org, ds string) int {
	t.Helper()
	out, err := direct().Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(stack.TableName),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "ORG#" + org + "#DS#" + ds}},
		Select:                    types.SelectCount, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return int(out.Count)
}

func TestOtherOrgCannotRead(t *testing.T) {
	ctx := context.Background()
	a, b, st := newOrg(t), newOrg(t), newStore()
	ws := id.New(id.Workspace)
	m, err := st.Put(ctx, a.sc.DynamoDB, a.keys, a.id, ws, "private", items(5, "a"))
	if err != nil {
		t.Fatal(err)
	}
	// Through the store, with B's session: the policy refuses A's keys.
	if _, err := st.Items(ctx, b.sc.DynamoDB, a.keys, a.id, ws, m.ID); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("org B reading org A's dataset: %v", err)
	}
	if _, err := st.List(ctx, b.sc.DynamoDB, a.id, ws); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("org B listing org A's datasets: %v", err)
	}
	if err := st.Delete(ctx, b.sc.DynamoDB, a.id, ws, m.ID); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("org B deleting org A's dataset: %v", err)
	}
	// And directly, for A's chunk item and partition.
	chunk := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "ORG#" + a.id + "#DS#" + m.ID},
		"sk": &types.AttributeValueMemberS{Value: "CHUNK#00000"}}
	if _, err := b.sc.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(stack.TableName), Key: chunk}); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("org B got org A's chunk: %v", err)
	}
	if _, err := b.sc.DynamoDB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(stack.TableName),
		KeyConditionExpression: aws.String("pk = :pk"), ExpressionAttributeValues: map[string]types.AttributeValue{":pk": chunk["pk"]},
	}); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("org B queried org A's chunks: %v", err)
	}
	// B's keys are refused for A's dataset before anything is opened.
	if _, err := st.Items(ctx, a.sc.DynamoDB, b.keys, a.id, ws, m.ID); code(err) != "opener_org_mismatch" {
		t.Fatalf("org B's keys: %v", err)
	}
	if _, err := st.Put(ctx, a.sc.DynamoDB, b.keys, a.id, ws, "x", items(1, "x")); code(err) != "sealer_org_mismatch" {
		t.Fatalf("sealing with org B's keys: %v", err)
	}
	// A's data is intact.
	if got, err := st.Items(ctx, a.sc.DynamoDB, a.keys, a.id, ws, m.ID); err != nil || len(got) != 5 {
		t.Fatalf("%d %v", len(got), err)
	}
}

func TestMovedOrAlteredChunksFail(t *testing.T) {
	ctx := context.Background()
	o, st := newOrg(t), newStore()
	ws := id.New(id.Workspace)
	db := o.sc.DynamoDB
	put := func(tag string, n int) dataset.Meta {
		t.Helper()
		m, err := st.Put(ctx, db, o.keys, o.id, ws, tag, items(n, tag))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	chunkKey := func(ds string, n int) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "ORG#" + o.id + "#DS#" + ds},
			"sk": &types.AttributeValueMemberS{Value: fmt.Sprintf("CHUNK#%05d", n)}}
	}
	get := func(ds string, n int) map[string]types.AttributeValue {
		t.Helper()
		out, err := direct().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(stack.TableName), Key: chunkKey(ds, n), ConsistentRead: aws.Bool(true)})
		if err != nil || out.Item == nil {
			t.Fatalf("chunk %s/%d: %v", ds, n, err)
		}
		return out.Item
	}
	write := func(ds string, n int, data string) {
		t.Helper()
		item := chunkKey(ds, n)
		item["ws"] = &types.AttributeValueMemberS{Value: ws}
		item["data"] = &types.AttributeValueMemberS{Value: data}
		if _, err := direct().PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.TableName), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	data := func(item map[string]types.AttributeValue) string {
		return item["data"].(*types.AttributeValueMemberS).Value
	}
	unreadable := func(what, ds string) {
		t.Helper()
		_, err := st.Items(ctx, db, o.keys, o.id, ws, ds)
		if code(err) != "dataset_unreadable" || !errors.Is(err, secrets.ErrUnreadable) {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// A chunk copied into another dataset fails authentication.
	x, y := put("x", 1), put("y", 1)
	write(y.ID, 0, data(get(x.ID, 0)))
	unreadable("chunk copied from another dataset", y.ID)

	// So does a chunk moved to another position of its own dataset.
	z := put("z", 600)
	if z.Chunks < 2 {
		t.Fatalf("want several chunks, got %d", z.Chunks)
	}
	first, second := data(get(z.ID, 0)), data(get(z.ID, 1))
	write(z.ID, 0, second)
	write(z.ID, 1, first)
	unreadable("chunks swapped", z.ID)
	write(z.ID, 0, first)
	write(z.ID, 1, second)
	if _, err := st.Items(ctx, db, o.keys, o.id, ws, z.ID); err != nil {
		t.Fatalf("restored: %v", err)
	}

	// And an altered one.
	w := put("w", 1)
	sealed := []byte(data(get(w.ID, 0)))
	i := len(sealed) - 10
	sealed[i] = map[bool]byte{true: 'B', false: 'A'}[sealed[i] == 'A']
	write(w.ID, 0, string(sealed))
	unreadable("altered chunk", w.ID)

	// A missing chunk is caught by the meta's count.
	if _, err := direct().DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(stack.TableName), Key: chunkKey(z.ID, z.Chunks-1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Items(ctx, db, o.keys, o.id, ws, z.ID); code(err) != "dataset_corrupt" {
		t.Fatalf("missing chunk: %v", err)
	}
}

func TestPutRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	o, st := newOrg(t), newStore()
	ws := id.New(id.Workspace)
	db := o.sc.DynamoDB
	for _, name := range []string{"", " ", strings.Repeat("é", dataset.MaxNameLen+1), "tab\there", "\xff", "key " + secret} {
		if _, err := st.Put(ctx, db, o.keys, o.id, ws, name, items(1, "x")); code(err) != "invalid_name" {
			t.Fatalf("name %q: %v", name, err)
		}
	}
	if _, err := st.Put(ctx, db, o.keys, o.id, ws, strings.Repeat("é", dataset.MaxNameLen), items(1, "x")); err != nil {
		t.Fatalf("a 100-character name: %v", err)
	}
	bad := []dataset.Item{{Messages: []chat.Message{{Role: chat.RoleAssistant, Content: chat.TextContent("x")}}}}
	leak := []dataset.Item{{Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent(secret)}}}}
	parts := []dataset.Item{{Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.Content{IsParts: true}}}}}
	for _, c := range []struct {
		name  string
		items []dataset.Item
		code  string
	}{
		{"none", nil, "dataset_empty"},
		{"too many", items(dataset.MaxItems+1, "x"), "too_many_items"},
		{"last not user", bad, "invalid_item"},
		{"credential", leak, "invalid_item"},
		{"parts", parts, "invalid_item"},
	} {
		_, err := st.Put(ctx, db, o.keys, o.id, ws, "n", c.items)
		if code(err) != c.code || strings.Contains(err.Error(), secret[8:24]) {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	if _, err := st.Put(ctx, db, o.keys, o.id, "ws_../x", "n", items(1, "x")); code(err) != "invalid_workspace" {
		t.Fatalf("bad workspace: %v", err)
	}
	if l, err := st.List(ctx, db, o.id, ws); err != nil || len(l) != 1 {
		t.Fatalf("only the good dataset is listed: %+v %v", l, err)
	}
}
