package trace_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/trace"
)

var day0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func mk(org string, i int, at time.Time) *trace.Trace {
	model := "gpt-4o-mini"
	if i%3 == 0 {
		model = "gpt-4o"
	}
	status := trace.StatusOK
	if i%10 == 0 {
		status = trace.StatusError
	}
	return &trace.Trace{
		ID: fmt.Sprintf("ev-%05d", i), Org: org, Workspace: "ws_a", Source: "ingest", Time: at,
		Provider: "openai", Model: model, Alias: "default", Status: status,
		TokensIn: int64(10 + i%7), TokensOut: int64(20 + i%5), CostNano: int64(100 + i), LatencyMS: int64(50 + i%400),
		Tags: map[string]string{"team": []string{"search", "chat"}[i%2]},
	}
}

func TestRecordIsIdempotentAndAggregatesAreExact(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	clock := day0.Add(36 * time.Hour)
	st := trace.NewStore(stack.TableName, func() time.Time { return clock })
	const events = 120
	var wantCost, wantErrors int64
	wantByModel := map[string]int64{}
	for i := 0; i < events; i++ {
		tr := mk(org, i, day0.Add(time.Duration(i)*time.Minute))
		dup, err := st.Record(ctx, sc.DynamoDB, tr, 90*24*time.Hour)
		if err != nil || dup {
			t.Fatalf("record %d: dup=%v err=%v", i, dup, err)
		}
		wantCost += tr.CostNano
		wantByModel["openai/"+tr.Model]++
		if tr.Status != trace.StatusOK {
			wantErrors++
		}
	}
	// Replays change nothing.
	for i := 0; i < events; i += 7 {
		dup, err := st.Record(ctx, sc.DynamoDB, mk(org, i, day0.Add(time.Duration(i)*time.Minute)), 90*24*time.Hour)
		if err != nil || !dup {
			t.Fatalf("replay %d: dup=%v err=%v", i, dup, err)
		}
	}
	all, err := st.Aggregates(ctx, sc.DynamoDB, org, day0, day0.Add(24*time.Hour), trace.DimAll)
	if err != nil || len(all) != 1 {
		t.Fatalf("aggregates: %v %v", all, err)
	}
	if a := all[0]; a.Requests != events || a.CostNano != wantCost || a.Errors != wantErrors || a.Latency.Count() != events {
		t.Fatalf("daily totals wrong: %+v (want %d requests, cost %d, errors %d)", a, events, wantCost, wantErrors)
	}
	if p50 := all[0].Latency.Quantile(0.5); p50 != 500 && p50 != 200 {
		t.Fatalf("p50 bucket %d ms", p50)
	}
	byModel, err := st.Aggregates(ctx, sc.DynamoDB, org, day0, day0.Add(24*time.Hour), trace.DimModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range byModel {
		if a.Requests != wantByModel[a.Value] {
			t.Fatalf("model %s: %d requests, want %d", a.Value, a.Requests, wantByModel[a.Value])
		}
	}
	tags, _ := st.Aggregates(ctx, sc.DynamoDB, org, day0, day0.Add(24*time.Hour), trace.DimTag)
	if len(tags) != 2 || tags[0].Requests+tags[1].Requests != events {
		t.Fatalf("tag aggregates: %+v", tags)
	}
	// An alias's totals are also kept per workspace, apart from the
	// org-wide alias dimension.
	wsAlias, err := st.Aggregates(ctx, sc.DynamoDB, org, day0, day0.Add(24*time.Hour), trace.DimWorkspaceAlias)
	if err != nil || len(wsAlias) != 1 || wsAlias[0].Value != trace.WorkspaceAlias("ws_a", "default") ||
		wsAlias[0].Requests != events || wsAlias[0].CostNano != wantCost {
		t.Fatalf("workspace alias aggregates: %+v %v", wsAlias, err)
	}
	aliases, err := st.Aggregates(ctx, sc.DynamoDB, org, day0, day0.Add(24*time.Hour), trace.DimAlias)
	if err != nil || len(aliases) != 1 || aliases[0].Value != "default" || aliases[0].Requests != events {
		t.Fatalf("alias aggregates: %+v %v", aliases, err)
	}
}

func TestListPagesNewestFirstWithFilters(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	clock := day0.Add(72 * time.Hour)
	st := trace.NewStore(stack.TableName, func() time.Time { return clock })
	const events = 75
	for i := 0; i < events; i++ { // spread over two days
		if _, err := st.Record(ctx, sc.DynamoDB, mk(org, i, day0.Add(time.Duration(i)*40*time.Minute)), 90*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	q := trace.Query{From: day0, To: day0.Add(72 * time.Hour), Limit: 10}
	var got []trace.Trace
	for pages := 0; ; pages++ {
		page, next, err := st.List(ctx, sc.DynamoDB, org, q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		if pages > 20 {
			t.Fatal("pagination does not end")
		}
		q.Cursor = next
	}
	if len(got) != events {
		t.Fatalf("listed %d of %d traces", len(got), events)
	}
	for i := 1; i < len(got); i++ {
		if !got[i-1].Time.After(got[i].Time) {
			t.Fatalf("not newest first at %d: %v then %v", i, got[i-1].Time, got[i].Time)
		}
	}
	filtered, _, err := st.List(ctx, sc.DynamoDB, org, trace.Query{From: day0, To: day0.Add(72 * time.Hour), Limit: 1000, Model: "openai/gpt-4o", Tag: "team=chat"})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for i := 0; i < events; i++ {
		if i%3 == 0 && i%2 == 1 {
			want++
		}
	}
	if len(filtered) != want {
		t.Fatalf("filtered %d, want %d", len(filtered), want)
	}
	for _, q := range []trace.Query{
		{From: day0, To: day0, Limit: 10},
		{From: day0, To: day0.Add(40 * 24 * time.Hour)},
		{From: day0, To: day0.Add(time.Hour), Limit: 5000},
		{From: day0, To: day0.Add(time.Hour), Cursor: "!!"},
	} {
		if _, _, err := st.List(ctx, sc.DynamoDB, org, q); err == nil {
			t.Errorf("bad query accepted: %+v", q)
		}
	}
}

func TestExpiredTracesAreHidden(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	now := day0.Add(time.Hour)
	st := trace.NewStore(stack.TableName, func() time.Time { return now })
	if _, err := st.Record(ctx, sc.DynamoDB, mk(org, 1, day0), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	q := trace.Query{From: day0, To: day0.Add(2 * time.Hour)}
	if got, _, _ := st.List(ctx, sc.DynamoDB, org, q); len(got) != 1 {
		t.Fatalf("live trace not listed: %d", len(got))
	}
	now = day0.Add(25 * time.Hour) // past retention, before any TTL sweep
	if got, _, _ := st.List(ctx, sc.DynamoDB, org, q); len(got) != 0 {
		t.Fatal("expired trace still listed")
	}
}

func TestRetentionPrimitives(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := trace.NewStore(stack.TableName, nil)
	for i := 0; i < 60; i++ {
		tr := mk(org, i, day0.Add(time.Duration(i)*30*time.Minute)) // 48 on the 20th, 12 on the 21st
		if i == 5 {
			tr.SealedContent, tr.RedactAt = "v1.dk_00000000000000000000.AAAA", day0.Add(48*time.Hour).Unix()
		}
		keep := 24 * time.Hour
		if i%4 == 0 {
			keep = 90 * 24 * time.Hour // another workspace's longer retention, same days
		}
		if _, err := st.Record(ctx, sc.DynamoDB, tr, keep); err != nil {
			t.Fatal(err)
		}
	}
	groups, err := st.ExpiredGroups(ctx, sc.DynamoDB, org, day0.Add(48*time.Hour))
	if err != nil || len(groups) != 1 || groups[0] != (trace.Expired{ExpiryDay: "20261121", Day: "20261120"}) {
		t.Fatalf("groups expired by the 22nd: %v %v", groups, err)
	}
	if n, err := st.RedactDue(ctx, sc.DynamoDB, org, day0.Add(47*time.Hour), 10); err != nil || n != 0 {
		t.Fatalf("redacted before the window: %d %v", n, err)
	}
	if n, err := st.RedactDue(ctx, sc.DynamoDB, org, day0.Add(49*time.Hour), 10); err != nil || n != 1 {
		t.Fatalf("redacted %d after the window (%v)", n, err)
	}
	if n, _ := st.RedactDue(ctx, sc.DynamoDB, org, day0.Add(49*time.Hour), 10); n != 0 {
		t.Fatal("redaction repeated")
	}
	// Delete the group in resumable steps: stop after two pages, then resume.
	now, pages := day0.Add(48*time.Hour), 0
	cursor, deleted, done, err := st.DeleteExpired(ctx, sc.DynamoDB, org, groups[0], now, trace.DeleteCursor{},
		func() bool { pages++; return pages > 2 })
	if err != nil || done || deleted == 0 || deleted >= 36 {
		t.Fatalf("a stop should pause the delete: cursor=%+v deleted=%d done=%v err=%v", cursor, deleted, done, err)
	}
	_, more, done, err := st.DeleteExpired(ctx, sc.DynamoDB, org, groups[0], now, cursor, func() bool { return false })
	if err != nil || !done || deleted+more != 36 {
		t.Fatalf("delete expired: deleted=%d+%d done=%v err=%v", deleted, more, done, err)
	}
	before := trace.NewStore(stack.TableName, func() time.Time { return day0.Add(47 * time.Hour) })
	left, _, _ := before.List(ctx, sc.DynamoDB, org, trace.Query{From: day0, To: day0.Add(48 * time.Hour), Limit: 1000})
	if len(left) != 24 {
		t.Fatalf("%d traces left, want the 21st's 12 and the 20th's 12 long-kept", len(left))
	}
	if groups, _ := st.ExpiredGroups(ctx, sc.DynamoDB, org, now); len(groups) != 0 {
		t.Fatalf("markers not removed: %v", groups)
	}
}
