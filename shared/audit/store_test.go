package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/id"
)

// now is the tests' fixed clock: entries appended without a time get it.
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func newStore() *audit.Store {
	return audit.New(audit.Config{Table: stack.TableName, Clock: func() time.Time { return now }})
}

// wantErr fails unless err is an *apperr.Error of kind with code.
func wantErr(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != kind || ae.Code != code {
		t.Fatalf("got error %v, want %s %q", err, kind, code)
	}
}

// listAll pages f through List with its Limit and returns every entry.
func listAll(t *testing.T, st *audit.Store, db audit.DB, org string, f audit.Filter) []audit.Entry {
	t.Helper()
	var all []audit.Entry
	for pages := 0; ; pages++ {
		page, next, err := st.List(context.Background(), db, org, f)
		if err != nil {
			t.Fatalf("list page %d: %v", pages, err)
		}
		if f.Limit > 0 && len(page) > f.Limit {
			t.Fatalf("page of %d entries over limit %d", len(page), f.Limit)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		f.Cursor = next
	}
}

func ids(es []audit.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// newestFirst sorts es as List returns them.
func newestFirst(es []audit.Entry) []audit.Entry {
	out := append([]audit.Entry(nil), es...)
	sort.Slice(out, func(i, j int) bool {
		return audit.SK(out[i].Time, out[i].ID) > audit.SK(out[j].Time, out[j].ID)
	})
	return out
}

func TestAppendListRoundTripAcrossMonths(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := newStore()
	actions := []string{"token.create", "token.rotate", "key.put", "member.role"}
	actors := []string{id.New(id.Member), id.New(id.Member), id.New(id.Token)}
	kinds := []string{audit.ActorMember, audit.ActorMember, audit.ActorToken}
	base := time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)
	var stored []audit.Entry
	for i := 0; i < 41; i++ {
		e := audit.Entry{
			Org: org, Actor: actors[i%3], ActorKind: kinds[i%3], Action: actions[i%4],
			TargetType: "token", TargetID: fmt.Sprintf("target-%d", i%5), Workspace: []string{"ws_a", "ws_b"}[i%2],
			SourceIP: "2001:db8::1", UserAgent: "tollgate-cli/1.0", Result: audit.ResultOK,
			Before: map[string]any{"name": "old", "n": i}, After: map[string]any{"name": "new", "tags": []any{"a", "b"}},
		}
		if i < 40 { // 6 hours apart: Feb 25 to Mar 6; the last one takes the clock's time
			e.Time = base.Add(time.Duration(i) * 6 * time.Hour).In(time.FixedZone("CET", 3600))
		}
		got, err := st.Append(ctx, sc.DynamoDB, e)
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		if !id.Valid(audit.IDPrefix, got.ID) || got.Time.Location() != time.UTC {
			t.Fatalf("append %d returned id %q time %v", i, got.ID, got.Time)
		}
		stored = append(stored, got)
	}
	if !stored[40].Time.Equal(now) {
		t.Fatalf("an entry without a time got %v, want the clock's %v", stored[40].Time, now)
	}
	if stored[0].Time.Month() != time.February || stored[39].Time.Month() != time.March {
		t.Fatalf("entries do not span two months: %v .. %v", stored[0].Time, stored[39].Time)
	}
	want := newestFirst(stored)
	all := listAll(t, st, sc.DynamoDB, org, audit.Filter{From: base.AddDate(0, -1, 0), To: now.Add(time.Hour), Limit: 7})
	if !reflect.DeepEqual(all, want) {
		t.Fatalf("listed entries differ from appended ones:\n got %v\nwant %v", ids(all), ids(want))
	}
	if def := listAll(t, st, sc.DynamoDB, org, audit.Filter{}); !reflect.DeepEqual(ids(def), ids(want)) {
		t.Fatalf("default range (the 13 months up to now, inclusive) listed %d entries, want %d", len(def), len(want))
	}
	if before := listAll(t, st, sc.DynamoDB, org, audit.Filter{To: now}); !reflect.DeepEqual(ids(before), ids(want[1:])) {
		t.Fatalf("an explicit To is exclusive: listed %d entries, want %d", len(before), len(want)-1)
	}

	cases := []struct {
		name string
		f    audit.Filter
		keep func(audit.Entry) bool
	}{
		{"action", audit.Filter{Action: "token.rotate"}, func(e audit.Entry) bool { return e.Action == "token.rotate" }},
		{"actor", audit.Filter{Actor: actors[2]}, func(e audit.Entry) bool { return e.Actor == actors[2] }},
		{"target", audit.Filter{TargetID: "target-3"}, func(e audit.Entry) bool { return e.TargetID == "target-3" }},
		{"workspace", audit.Filter{Workspace: "ws_b"}, func(e audit.Entry) bool { return e.Workspace == "ws_b" }},
		{"combined", audit.Filter{Action: "token.create", Workspace: "ws_a"}, func(e audit.Entry) bool {
			return e.Action == "token.create" && e.Workspace == "ws_a"
		}},
		{"no match", audit.Filter{Actor: "usr_nobody"}, func(audit.Entry) bool { return false }},
		{"time range", audit.Filter{From: base.Add(50 * time.Hour), To: base.Add(170 * time.Hour)}, func(e audit.Entry) bool {
			return !e.Time.Before(base.Add(50*time.Hour)) && e.Time.Before(base.Add(170*time.Hour))
		}},
		{"from is inclusive, to exclusive", audit.Filter{From: base.Add(24 * time.Hour), To: base.Add(48 * time.Hour)}, func(e audit.Entry) bool {
			return !e.Time.Before(base.Add(24*time.Hour)) && e.Time.Before(base.Add(48*time.Hour))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.f
			if f.From.IsZero() {
				f.From, f.To = base.AddDate(0, -1, 0), now.Add(time.Hour)
			}
			f.Limit = 3
			var exp []audit.Entry
			for _, e := range want {
				if c.keep(e) {
					exp = append(exp, e)
				}
			}
			got := listAll(t, st, sc.DynamoDB, org, f)
			if !reflect.DeepEqual(ids(got), ids(exp)) {
				t.Fatalf("got %v\nwant %v", ids(got), ids(exp))
			}
		})
	}

	// A cursor resumes exactly where its page ended, across the month boundary.
	f := audit.Filter{From: base, To: now.Add(time.Hour), Limit: 25}
	p1, next, err := st.List(ctx, sc.DynamoDB, org, f)
	if err != nil || next == "" || len(p1) != 25 {
		t.Fatalf("first page: %d entries, next %q, err %v", len(p1), next, err)
	}
	f.Cursor = next
	p2, next2, err := st.List(ctx, sc.DynamoDB, org, f)
	if err != nil || next2 != "" || len(p2) != 16 {
		t.Fatalf("second page: %d entries, next %q, err %v", len(p2), next2, err)
	}
	if p1[24].Time.Month() != time.March || p2[len(p2)-1].Time.Month() != time.February {
		t.Fatalf("pages do not cross the month boundary")
	}
}

func TestListRefusesBadCursorsRangesAndLimits(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	orgB, scB := newOrg(t)
	st := newStore()
	for i := 0; i < 5; i++ {
		if _, err := st.Append(ctx, sc.DynamoDB, audit.Entry{Org: org, Time: now.Add(-time.Duration(i) * time.Hour),
			Actor: "usr_x", ActorKind: audit.ActorMember, Action: "budget.set"}); err != nil {
			t.Fatal(err)
		}
	}
	_, cursor, err := st.List(ctx, sc.DynamoDB, org, audit.Filter{Limit: 2})
	if err != nil || cursor == "" {
		t.Fatalf("no cursor: %v", err)
	}
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		db   audit.DB
		org  string
		f    audit.Filter
		code string
	}{
		{"cursor not base64", sc.DynamoDB, org, audit.Filter{Cursor: "!!!"}, "invalid_cursor"},
		{"cursor not JSON", sc.DynamoDB, org, audit.Filter{Cursor: "bm90LWpzb24"}, "invalid_cursor"},
		{"cursor empty object", sc.DynamoDB, org, audit.Filter{Cursor: "e30"}, "invalid_cursor"},
		{"cursor of other filters", sc.DynamoDB, org, audit.Filter{Cursor: cursor, Action: "budget.set"}, "invalid_cursor"},
		{"cursor of another org", scB.DynamoDB, orgB, audit.Filter{Cursor: cursor}, "invalid_cursor"},
		{"cursor outside the range", sc.DynamoDB, org, audit.Filter{From: feb, To: feb.AddDate(0, 0, 10), Cursor: cursor}, "invalid_cursor"},
		{"from after to", sc.DynamoDB, org, audit.Filter{From: now, To: now.Add(-time.Hour)}, "invalid_range"},
		{"from equals to", sc.DynamoDB, org, audit.Filter{From: now, To: now}, "invalid_range"},
		{"over 13 months", sc.DynamoDB, org, audit.Filter{From: now.AddDate(0, -13, -1), To: now}, "invalid_range"},
		{"negative limit", sc.DynamoDB, org, audit.Filter{Limit: -1}, "invalid_limit"},
		{"limit over 500", sc.DynamoDB, org, audit.Filter{Limit: 501}, "invalid_limit"},
		{"bad org", sc.DynamoDB, "org_nope", audit.Filter{}, "invalid_org"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := st.List(ctx, c.db, c.org, c.f)
			wantErr(t, err, apperr.Invalid, c.code)
		})
	}
	if got, _, err := st.List(ctx, sc.DynamoDB, org, audit.Filter{From: now.Add(time.Second).AddDate(0, -13, 0), To: now.Add(time.Second), Limit: 500}); err != nil || len(got) != 5 {
		t.Fatalf("exactly 13 months and limit 500: %d entries, %v", len(got), err)
	}
}

func isAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
}

func TestAnotherOrgCannotReadOrWriteTheLog(t *testing.T) {
	ctx := context.Background()
	orgA, a := newOrg(t)
	_, b := newOrg(t)
	st := newStore()
	if _, err := st.Append(ctx, a.DynamoDB, audit.Entry{Org: orgA, Actor: "usr_a", ActorKind: audit.ActorMember, Action: "org.export"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := st.List(ctx, b.DynamoDB, orgA, audit.Filter{})
	if !isAccessDenied(err) {
		t.Fatalf("org B listing org A's log: got %v, want AccessDeniedException from the enforcing endpoint", err)
	}
	wantErr(t, err, apperr.Internal, "audit_access_denied")

	_, err = st.Append(ctx, b.DynamoDB, audit.Entry{Org: orgA, Actor: "usr_b", ActorKind: audit.ActorMember, Action: "org.delete"})
	if !isAccessDenied(err) {
		t.Fatalf("org B appending to org A's log: got %v, want AccessDeniedException", err)
	}
	got, _, err := st.List(ctx, a.DynamoDB, orgA, audit.Filter{})
	if err != nil || len(got) != 1 || got[0].Action != "org.export" {
		t.Fatalf("org A's log changed: %v %v", got, err)
	}
}

// rawItem reads an entry's item as stored, with the org's own client.
func rawItem(t *testing.T, db *dynamodb.Client, e audit.Entry) map[string]types.AttributeValue {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(stack.TableName), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: audit.PK(e.Org, e.Time)},
			"sk": &types.AttributeValueMemberS{Value: audit.SK(e.Time, e.ID)},
		},
	})
	if err != nil || out.Item == nil {
		t.Fatalf("raw item of %s: %v", e.ID, err)
	}
	return out.Item
}

func TestReplayedAppendFailsAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := newStore()
	first, err := st.Append(ctx, sc.DynamoDB, audit.Entry{Org: org, Actor: "usr_a", ActorKind: audit.ActorMember,
		Action: "token.revoke", TargetID: "tok_1", After: map[string]any{"revoked": true}})
	if err != nil {
		t.Fatal(err)
	}
	before := rawItem(t, sc.DynamoDB, first)

	_, err = st.Append(ctx, sc.DynamoDB, first)
	wantErr(t, err, apperr.Conflict, "audit_entry_exists")
	forged := first
	forged.Actor, forged.Action, forged.After = "usr_mallory", "token.create", map[string]any{"revoked": false}
	_, err = st.Append(ctx, sc.DynamoDB, forged)
	wantErr(t, err, apperr.Conflict, "audit_entry_exists")
	// A replay that drops the time must not be stored again at a new time.
	noTime := first
	noTime.Time = time.Time{}
	_, err = st.Append(ctx, sc.DynamoDB, noTime)
	wantErr(t, err, apperr.Invalid, "invalid_audit_time")

	if after := rawItem(t, sc.DynamoDB, first); !reflect.DeepEqual(before, after) {
		t.Fatalf("a replay changed the stored item:\nbefore %v\nafter  %v", before, after)
	}
	got, _, err := st.List(ctx, sc.DynamoDB, org, audit.Filter{})
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], first) {
		t.Fatalf("after replays the log holds %v (%v), want only %v", got, err, first)
	}
}

func TestAppendRefusesInvalidInput(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := newStore()
	valid := func() audit.Entry {
		return audit.Entry{Org: org, Actor: "usr_a", ActorKind: audit.ActorMember, Action: "settings.set"}
	}
	long := func(n int) string { return string(make([]byte, n)) }
	cases := []struct {
		name string
		edit func(*audit.Entry)
		code string
	}{
		{"no org", func(e *audit.Entry) { e.Org = "" }, "invalid_org"},
		{"malformed org", func(e *audit.Entry) { e.Org = "org_x#AUDIT" }, "invalid_org"},
		{"short id", func(e *audit.Entry) { e.ID, e.Time = "aud_abc", now }, "invalid_audit_id"},
		{"foreign id prefix", func(e *audit.Entry) { e.ID, e.Time = id.New(id.Token), now }, "invalid_audit_id"},
		{"id without time", func(e *audit.Entry) { e.ID = id.New(audit.IDPrefix) }, "invalid_audit_time"},
		{"time before 2000", func(e *audit.Entry) { e.Time = time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC) }, "invalid_audit_time"},
		{"no action", func(e *audit.Entry) { e.Action = "" }, "invalid_audit_action"},
		{"action without verb", func(e *audit.Entry) { e.Action = "token" }, "invalid_audit_action"},
		{"upper-case action", func(e *audit.Entry) { e.Action = "Token.Create" }, "invalid_audit_action"},
		{"action with digits", func(e *audit.Entry) { e.Action = "token.v2" }, "invalid_audit_action"},
		{"action with trailing dot", func(e *audit.Entry) { e.Action = "token.create." }, "invalid_audit_action"},
		{"action over 64", func(e *audit.Entry) { e.Action = "token." + repeat("a", 59) }, "invalid_audit_action"},
		{"no actor kind", func(e *audit.Entry) { e.ActorKind = "" }, "invalid_audit_actor_kind"},
		{"unknown actor kind", func(e *audit.Entry) { e.ActorKind = "admin" }, "invalid_audit_actor_kind"},
		{"no actor", func(e *audit.Entry) { e.Actor = "" }, "invalid_audit_actor"},
		{"actor over 128", func(e *audit.Entry) { e.Actor = repeat("u", 129) }, "invalid_audit_actor"},
		{"actor with control", func(e *audit.Entry) { e.Actor = "usr_a\nforged line" }, "invalid_audit_actor"},
		{"actor not UTF-8", func(e *audit.Entry) { e.Actor = "usr_\xff" }, "invalid_audit_actor"},
		{"actor is a credential", func(e *audit.Entry) { e.Actor = tollgateToken }, "invalid_audit_actor"},
		{"target type", func(e *audit.Entry) { e.TargetType = "Provider Key" }, "invalid_audit_target"},
		{"target id over 256", func(e *audit.Entry) { e.TargetID = repeat("t", 257) }, "invalid_audit_target"},
		{"target id with NULs", func(e *audit.Entry) { e.TargetID = long(10) }, "invalid_audit_target"},
		{"target id is a credential", func(e *audit.Entry) { e.TargetID = openAIKey }, "invalid_audit_target"},
		{"workspace with #", func(e *audit.Entry) { e.Workspace = "ws_a#x" }, "invalid_audit_workspace"},
		{"workspace over 64", func(e *audit.Entry) { e.Workspace = repeat("w", 65) }, "invalid_audit_workspace"},
		{"source ip", func(e *audit.Entry) { e.SourceIP = "300.1.1.1" }, "invalid_audit_source_ip"},
		{"source ip with port", func(e *audit.Entry) { e.SourceIP = "10.0.0.1:443" }, "invalid_audit_source_ip"},
		{"result", func(e *audit.Entry) { e.Result = "maybe" }, "invalid_audit_result"},
		{"before not encodable", func(e *audit.Entry) { e.Before = map[string]any{"c": make(chan int)} }, "invalid_audit_diff"},
		{"after not encodable", func(e *audit.Entry) { e.After = map[string]any{"f": func() {}} }, "invalid_audit_diff"},
		{"bytes would hide a key in base64", func(e *audit.Entry) {
			e.After = map[string]any{"k": []any{struct{ Raw []byte }{[]byte(openAIKey)}}}
		}, "invalid_audit_diff"},
		{"malformed raw JSON", func(e *audit.Entry) { e.Before = map[string]any{"a": json.RawMessage(`[1,`)} }, "invalid_audit_diff"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := valid()
			c.edit(&e)
			got, err := st.Append(ctx, sc.DynamoDB, e)
			wantErr(t, err, apperr.Invalid, c.code)
			if got.ID != "" {
				t.Fatalf("a refused append returned an entry: %+v", got)
			}
		})
	}
	if got, _, err := st.List(ctx, sc.DynamoDB, org, audit.Filter{}); err != nil || len(got) != 0 {
		t.Fatalf("refused appends wrote %d entries (%v)", len(got), err)
	}

	// Every documented action, and any well-formed one, is accepted.
	for _, a := range []string{"token.create", "token.rotate", "token.revoke", "key.put", "key.delete", "member.add",
		"member.role", "member.remove", "budget.set", "alias.put", "alias.rollback", "retention.set",
		"workspace.create", "workspace.delete", "org.export", "org.delete", "settings.set", "org.sso.set_default"} {
		e := valid()
		e.Action, e.ActorKind, e.Result, e.SourceIP = a, audit.ActorOperator, audit.ResultDenied, "192.0.2.7"
		if _, err := st.Append(ctx, sc.DynamoDB, e); err != nil {
			t.Fatalf("action %s: %v", a, err)
		}
	}
}

func TestUserAgentIsTruncatedToValidUTF8(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := newStore()
	ua := "agent/\xff " + repeat("é", 200) // invalid byte, then 400 bytes of two-byte runes
	got, err := st.Append(ctx, sc.DynamoDB, audit.Entry{Org: org, Actor: "usr_a", ActorKind: audit.ActorMember,
		Action: "member.add", UserAgent: ua, SourceIP: "::ffff:10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.UserAgent) > audit.MaxUserAgentLen || len(got.UserAgent) < audit.MaxUserAgentLen-3 || !utf8Valid(got.UserAgent) {
		t.Fatalf("user agent of %d bytes, valid UTF-8 %v", len(got.UserAgent), utf8Valid(got.UserAgent))
	}
	listed, _, err := st.List(ctx, sc.DynamoDB, org, audit.Filter{})
	if err != nil || len(listed) != 1 || listed[0].UserAgent != got.UserAgent {
		t.Fatalf("stored user agent differs: %v", err)
	}
}
