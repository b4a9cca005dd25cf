package shadow_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/shadow"
)

const alias = "support-bot"

// sample returns a varied sample of (ws, alias) whose every text holds
// marker: a system prompt, an earlier tool-calling turn, multimodal parts.
func sample(ws, alias, marker string) shadow.Sample {
	zero := 0
	return shadow.Sample{
		Workspace: ws, Alias: alias, Model: "openai/gpt-4o-mini",
		Messages: []chat.Message{
			{Role: chat.RoleSystem, Content: chat.TextContent("be brief " + marker)},
			{Role: chat.RoleUser, Content: chat.TextContent("weather? <b>é</b> & \u2028 \"quoted\" " + marker)},
			{Role: chat.RoleAssistant, Content: chat.Content{IsNull: true}, ToolCalls: []chat.ToolCall{{
				Index: &zero, ID: "call_1", Type: "function",
				Function: chat.FunctionCall{Name: "weather", Arguments: `{"city":"` + marker + `"}`}}}},
			{Role: chat.RoleTool, ToolCallID: "call_1", Content: chat.TextContent("sunny " + marker)},
			{Role: chat.RoleUser, Content: chat.Content{IsParts: true, Parts: []chat.Part{
				{Type: "text", Text: "and this picture? " + marker},
				{Type: "image_url", ImageURL: &chat.ImageURL{URL: "https://example.com/" + marker + ".png", Detail: "low"}},
			}}},
		},
		Output:   "It is sunny. " + marker + "\n" + strings.Repeat("lorem ipsum ", 40),
		CostNano: 123_456, PromptTokens: 321, CompletionTokens: 45,
	}
}

func marker() string { return "PLAINTEXT-MARKER-" + id.New("") }

// sameSample compares what Put stored with what Open returned.
func sameSample(t *testing.T, got, want shadow.Sample) {
	t.Helper()
	if !got.Time.Equal(want.Time) {
		t.Fatalf("time %v, want %v", got.Time, want.Time)
	}
	got.Time, want.Time = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sample differs after a round trip:\n got %+v\nwant %+v", got, want)
	}
}

func TestPutListOpen(t *testing.T) {
	ctx := context.Background()
	o, clk := newOrg(t), newClock()
	st := newStore(clk)
	db := o.sc.DynamoDB
	ws, otherWS := id.New(id.Workspace), id.New(id.Workspace)
	t0 := clk.Now()

	if l, err := st.List(ctx, db, o.id, ws, alias, 0); err != nil || len(l) != 0 {
		t.Fatalf("empty list: %+v %v", l, err)
	}
	// Put out of time order; List returns them oldest first.
	var put []shadow.Sample
	for i, at := range []time.Time{t0.Add(2 * time.Second), t0, t0.Add(time.Second), {}} {
		s := sample(ws, alias, marker())
		s.Time = at
		s.PromptTokens = int64(i)
		got, err := st.Put(ctx, db, o.keys, o.id, s)
		if err != nil {
			t.Fatal(err)
		}
		if !id.Valid(shadow.IDPrefix, got.ID) || got.Workspace != ws || got.Alias != alias {
			t.Fatalf("put returned %+v", got)
		}
		if at.IsZero() && !got.Time.Equal(clk.Now()) {
			t.Fatalf("a zero time takes the clock: %v", got.Time)
		}
		put = append(put, got)
		clk.Add(time.Minute)
	}
	// Samples of another alias or workspace are listed apart.
	for _, s := range []shadow.Sample{sample(ws, "other-alias", "x"), sample(otherWS, alias, "y")} {
		if _, err := st.Put(ctx, db, o.keys, o.id, s); err != nil {
			t.Fatal(err)
		}
	}

	refs, err := st.List(ctx, db, o.id, ws, alias, 0)
	if err != nil {
		t.Fatal(err)
	}
	order := []int{1, 2, 0, 3} // put's indices, oldest first
	if len(refs) != len(order) {
		t.Fatalf("listed %d, want %d", len(refs), len(order))
	}
	for i, r := range refs {
		want := put[order[i]]
		putAt := t0.Add(time.Duration(order[i]) * time.Minute)
		if r.ID != want.ID || r.Key != want.Key() || r.Model != want.Model || !r.Time.Equal(want.Time) ||
			r.CostNano != want.CostNano || r.PromptTokens != want.PromptTokens || r.CompletionTokens != want.CompletionTokens ||
			!r.Expires.Equal(putAt.Add(shadow.DefaultHold)) {
			t.Fatalf("ref %d: %+v, want sample %+v", i, r, want)
		}
		got, err := st.Open(ctx, db, o.keys, o.id, ws, alias, r.Key)
		if err != nil {
			t.Fatal(err)
		}
		sameSample(t, got, want)
	}
	if l, err := st.List(ctx, db, o.id, ws, alias, 2); err != nil || len(l) != 2 || l[0].ID != put[1].ID || l[1].ID != put[2].ID {
		t.Fatalf("list of 2: %+v %v", l, err)
	}
	// The ref belongs to its (workspace, alias): elsewhere it names nothing.
	if _, err := st.Open(ctx, db, o.keys, o.id, otherWS, alias, refs[0].Key); code(err) != shadow.CodeNotFound {
		t.Fatalf("open through another workspace: %v", err)
	}
	if _, err := st.Open(ctx, db, o.keys, o.id, ws, "other-alias", refs[0].Key); code(err) != shadow.CodeNotFound {
		t.Fatalf("open through another alias: %v", err)
	}
}

// rawItems returns every item of org's shadow partitions, read around the
// enforcing endpoint.
func rawItems(t *testing.T, org string) []map[string]types.AttributeValue {
	t.Helper()
	var out []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(direct(), &dynamodb.ScanInput{TableName: aws.String(stack.TableName),
		FilterExpression:          aws.String("begins_with(pk, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "ORG#" + org + "#SHADOW#"}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
	}
	return out
}

func TestStoredItemHoldsNoText(t *testing.T) {
	ctx := context.Background()
	o, clk := newOrg(t), newClock()
	ws := id.New(id.Workspace)
	mk := marker()
	got, err := newStore(clk).Put(ctx, o.sc.DynamoDB, o.keys, o.id, sample(ws, alias, mk))
	if err != nil {
		t.Fatal(err)
	}
	items := rawItems(t, o.id)
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	it := items[0]
	var names []string
	for name, av := range it {
		names = append(names, name)
		var raw []byte
		switch x := av.(type) {
		case *types.AttributeValueMemberS:
			raw = []byte(x.Value)
		case *types.AttributeValueMemberB:
			raw = x.Value
		case *types.AttributeValueMemberN:
		default:
			t.Fatalf("attribute %s has unexpected type %T", name, av)
		}
		for _, text := range []string{mk, "lorem ipsum", "be brief", "sunny", "weather?"} {
			if bytes.Contains(raw, []byte(text)) {
				t.Fatalf("sample text %q found in attribute %s", text, name)
			}
		}
	}
	s := func(name string) string { return it[name].(*types.AttributeValueMemberS).Value }
	n := func(name string) string { return it[name].(*types.AttributeValueMemberN).Value }
	want := map[string]string{
		"pk": "ORG#" + o.id + "#SHADOW#" + ws + "#" + alias, "sk": got.Key(),
		"id": got.ID, "workspace": ws, "alias": alias, "model": "openai/gpt-4o-mini",
	}
	for name, v := range want {
		if s(name) != v {
			t.Errorf("%s = %q, want %q", name, s(name), v)
		}
	}
	if got.Key() != "2026-03-01T10:00:00.000000000Z#"+got.ID {
		t.Errorf("sort key %q", got.Key())
	}
	if n("cost_nano") != "123456" || n("prompt_tokens") != "321" || n("completion_tokens") != "45" {
		t.Errorf("usage: %s %s %s", n("cost_nano"), n("prompt_tokens"), n("completion_tokens"))
	}
	if want := strconv.FormatInt(clk.Now().Add(7*24*time.Hour).Unix(), 10); n("expires_at") != want {
		t.Errorf("expires_at %s, want %s", n("expires_at"), want)
	}
	if !strings.HasPrefix(s("sealed"), "v1.") {
		t.Errorf("sealed value is not in the secrets format")
	}
	if len(names) != 12 {
		t.Errorf("attributes %v", names)
	}
}

func TestHoldAndExpiry(t *testing.T) {
	ctx := context.Background()
	o := newOrg(t)
	db := o.sc.DynamoDB
	for _, c := range []struct {
		name string
		hold time.Duration
		want time.Duration
	}{
		{"default", 0, shadow.DefaultHold},
		{"negative", -time.Hour, shadow.DefaultHold},
		{"an hour", time.Hour, time.Hour},
		{"over the maximum", 365 * 24 * time.Hour, shadow.MaxHold},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := newClock()
			st := newStore(clk, shadow.WithHold(c.hold))
			if st.Hold() != c.want {
				t.Fatalf("hold %v, want %v", st.Hold(), c.want)
			}
			ws := id.New(id.Workspace)
			a, err := st.Put(ctx, db, o.keys, o.id, sample(ws, alias, "a"))
			if err != nil {
				t.Fatal(err)
			}
			clk.Add(c.want / 2)
			b, err := st.Put(ctx, db, o.keys, o.id, sample(ws, alias, "b"))
			if err != nil {
				t.Fatal(err)
			}
			// Just before a's hold runs out both are held; at it, only b.
			clk.Add(c.want/2 - time.Second)
			if l, err := st.List(ctx, db, o.id, ws, alias, 0); err != nil || len(l) != 2 {
				t.Fatalf("before expiry: %+v %v", l, err)
			}
			clk.Add(time.Second)
			if l, err := st.List(ctx, db, o.id, ws, alias, 0); err != nil || len(l) != 1 || l[0].ID != b.ID {
				t.Fatalf("after a's expiry: %+v %v", l, err)
			}
			if _, err := st.Open(ctx, db, o.keys, o.id, ws, alias, a.Key()); code(err) != shadow.CodeNotFound {
				t.Fatalf("open expired: %v", err)
			}
			if _, err := st.Open(ctx, db, o.keys, o.id, ws, alias, b.Key()); err != nil {
				t.Fatalf("open held: %v", err)
			}
			clk.Add(c.want / 2)
			if l, err := st.List(ctx, db, o.id, ws, alias, 0); err != nil || len(l) != 0 {
				t.Fatalf("after both expired: %+v %v", l, err)
			}
		})
	}
}

// List pages through more than one Query page (1 MB each), skips expired
// samples interleaved with held ones and stops at its limit.
func TestListPaginatesAndFilters(t *testing.T) {
	ctx := context.Background()
	o, clk := newOrg(t), newClock()
	st := newStore(clk, shadow.WithHold(time.Hour))
	db := o.sc.DynamoDB
	ws := id.New(id.Workspace)
	t0 := clk.Now()
	big := strings.Repeat("lorem ipsum ", 6000) // 72 KB a sample, ~96 KB sealed
	put := func(at time.Time) shadow.Sample {
		t.Helper()
		s := sample(ws, alias, "p")
		s.Time, s.Output = at, big
		got, err := st.Put(ctx, db, o.keys, o.id, s)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// Even seconds expire first; odd seconds, put 40 minutes later, are held.
	for i := range 20 {
		put(t0.Add(time.Duration(2*i) * time.Second))
	}
	clk.Add(40 * time.Minute)
	var held []string
	for i := range 20 {
		held = append(held, put(t0.Add(time.Duration(2*i+1)*time.Second)).ID)
	}
	if l, err := st.List(ctx, db, o.id, ws, alias, 0); err != nil || len(l) != 40 {
		t.Fatalf("all held: %d %v", len(l), err)
	}
	clk.Add(21 * time.Minute) // past the first 20's hour
	for _, limit := range []int{0, 7, 20, 21, shadow.MaxList + 1} {
		q := &queryCounter{DB: db}
		l, err := st.List(ctx, q, o.id, ws, alias, limit)
		if err != nil {
			t.Fatal(err)
		}
		if limit == 0 && q.n < 2 {
			t.Fatalf("listing ~3 MB took %d queries: pages were not followed", q.n)
		}
		want := held
		if limit > 0 && limit < len(want) {
			want = want[:limit]
		}
		var got []string
		for i, r := range l {
			got = append(got, r.ID)
			if i > 0 && r.Key <= l[i-1].Key {
				t.Fatalf("limit %d: not oldest first at %d", limit, i)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("limit %d: listed %d, want %d: %v", limit, len(got), len(want), got)
		}
	}
}

func TestDeleteIsIdempotent(t *testing.T) {
	ctx := context.Background()
	o, clk := newOrg(t), newClock()
	st := newStore(clk)
	db := o.sc.DynamoDB
	ws := id.New(id.Workspace)
	a, err := st.Put(ctx, db, o.keys, o.id, sample(ws, alias, "a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Put(ctx, db, o.keys, o.id, sample(ws, alias, "b"))
	if err != nil {
		t.Fatal(err)
	}
	// The same ref under another alias or workspace deletes nothing.
	if err := st.Delete(ctx, db, o.id, ws, "other-alias", a.Key()); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, db, o.id, id.New(id.Workspace), alias, a.Key()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Open(ctx, db, o.keys, o.id, ws, alias, a.Key()); err != nil {
		t.Fatalf("a after foreign deletes: %v", err)
	}
	for i := range 3 { // a redelivered chunk deletes again
		if err := st.Delete(ctx, db, o.id, ws, alias, a.Key()); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	if _, err := st.Open(ctx, db, o.keys, o.id, ws, alias, a.Key()); code(err) != shadow.CodeNotFound {
		t.Fatalf("open after delete: %v", err)
	}
	if l, err := st.List(ctx, db, o.id, ws, alias, 0); err != nil || len(l) != 1 || l[0].ID != b.ID {
		t.Fatalf("list after delete: %+v %v", l, err)
	}
	// A well-formed ref that never existed is gone already.
	never := fmt.Sprintf("2026-01-01T00:00:00.000000000Z#%s", id.New(shadow.IDPrefix))
	if err := st.Delete(ctx, db, o.id, ws, alias, never); err != nil {
		t.Fatalf("delete of a never-stored ref: %v", err)
	}
	if _, err := st.Open(ctx, db, o.keys, o.id, ws, alias, never); code(err) != shadow.CodeNotFound {
		t.Fatalf("open of a never-stored ref: %v", err)
	}
	// A ref no Put could have made is the caller's bug, not a miss.
	for _, bad := range []string{"", a.ID, "2026-03-01T10:00:00Z#" + a.ID, a.Key() + "#x",
		strings.Replace(a.Key(), "shd_", "ds_", 1), "x#" + a.ID, "2026-03-01T10:00:00.000000000+01:00#" + a.ID} {
		if err := st.Delete(ctx, db, o.id, ws, alias, bad); code(err) != shadow.CodeInvalidRef {
			t.Fatalf("delete %q: %v", bad, err)
		}
		if _, err := st.Open(ctx, db, o.keys, o.id, ws, alias, bad); code(err) != shadow.CodeInvalidRef {
			t.Fatalf("open %q: %v", bad, err)
		}
	}
	if _, err := st.Open(ctx, db, o.keys, o.id, ws, alias, b.Key()); err != nil {
		t.Fatalf("b is untouched: %v", err)
	}
}

// queryCounter counts the queries a List makes.
type queryCounter struct {
	shadow.DB
	n int
}

func (q *queryCounter) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	q.n++
	return q.DB.Query(ctx, in, optFns...)
}
