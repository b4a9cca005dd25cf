package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/id"
)

func TestCSVGuardsAgainstFormulaInjection(t *testing.T) {
	e := audit.Entry{
		ID: id.New(audit.IDPrefix), Org: id.New(id.Org), Time: now, Actor: "=HYPERLINK(\"http://x\")", ActorKind: audit.ActorToken,
		Action: "alias.put", TargetType: "alias", TargetID: "+SUM(A1)", Workspace: "@ws", SourceIP: "10.0.0.1",
		UserAgent: "-2+3", Result: audit.ResultOK, Before: map[string]any{"v": "=1"},
	}
	tab, cr := e, e
	tab.UserAgent, cr.UserAgent = "\tcmd", "\rcmd"
	var buf bytes.Buffer
	if err := audit.WriteCSV(&buf, []audit.Entry{e, tab, cr}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !reflect.DeepEqual(rows[0], audit.CSVHeader) {
		t.Fatalf("rows: %q", rows)
	}
	col := func(name string) int {
		for i, h := range audit.CSVHeader {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	r := rows[1]
	for name, want := range map[string]string{
		"actor": "'=HYPERLINK(\"http://x\")", "target_id": "'+SUM(A1)", "workspace": "'@ws", "user_agent": "'-2+3",
		"id": e.ID, "action": "alias.put", "source_ip": "10.0.0.1", "before": `{"v":"=1"}`, "after": "",
		"time": "2026-03-10T12:00:00Z",
	} {
		if got := r[col(name)]; got != want {
			t.Errorf("column %s: got %q, want %q", name, got, want)
		}
	}
	if got := rows[2][col("user_agent")]; got != "'\tcmd" {
		t.Errorf("leading tab: got %q", got)
	}
	if got := rows[3][col("user_agent")]; got != "'\rcmd" && got != "'\ncmd" {
		t.Errorf("leading carriage return: got %q", got)
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s starts a formula: %q", audit.CSVHeader[i], cell)
			}
		}
	}
}

func TestExportIsCompleteAndOrdered(t *testing.T) {
	ctx := context.Background()
	org, sc := newOrg(t)
	st := newStore()
	audit.SetExportPage(st, 25) // 120 entries: five pages and a partial one
	base := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	var stored []audit.Entry
	for i := 0; i < 120; i++ { // 8 hours apart: January 20 to February 28
		e, err := st.Append(ctx, sc.DynamoDB, audit.Entry{
			Org: org, Time: base.Add(time.Duration(i) * 8 * time.Hour), Actor: "usr_a", ActorKind: audit.ActorMember,
			Action: []string{"alias.put", "alias.rollback"}[i%2], TargetType: "alias", TargetID: "default",
			UserAgent: "=evil()", Before: map[string]any{"version": i}, After: map[string]any{"version": i + 1},
		})
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		stored = append(stored, e)
	}
	want := newestFirst(stored)
	f := audit.Filter{From: base, To: base.AddDate(0, 2, 0)}

	var jsonl bytes.Buffer
	if err := st.Export(ctx, sc.DynamoDB, org, f, audit.FormatJSONL, &jsonl); err != nil {
		t.Fatal(err)
	}
	var expJSONL bytes.Buffer
	if err := audit.WriteJSONL(&expJSONL, want); err != nil {
		t.Fatal(err)
	}
	if jsonl.String() != expJSONL.String() {
		t.Fatalf("JSONL export differs from the appended entries")
	}
	var n int
	var prev time.Time
	for sc := bufio.NewScanner(&jsonl); sc.Scan(); n++ {
		var e audit.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if e.ID != want[n].ID || (n > 0 && !e.Time.Before(prev)) {
			t.Fatalf("line %d out of order: %s at %v", n, e.ID, e.Time)
		}
		prev = e.Time
	}
	if n != 120 {
		t.Fatalf("JSONL export has %d lines, want 120", n)
	}

	var csvOut bytes.Buffer
	if err := st.Export(ctx, sc.DynamoDB, org, f, audit.FormatCSV, &csvOut); err != nil {
		t.Fatal(err)
	}
	var expCSV bytes.Buffer
	if err := audit.WriteCSV(&expCSV, want); err != nil {
		t.Fatal(err)
	}
	if csvOut.String() != expCSV.String() {
		t.Fatalf("CSV export differs from the appended entries")
	}
	rows, err := csv.NewReader(&csvOut).ReadAll()
	if err != nil || len(rows) != 121 || !reflect.DeepEqual(rows[0], audit.CSVHeader) {
		t.Fatalf("CSV export: %d rows, %v", len(rows), err)
	}
	for i, r := range rows[1:] {
		if r[0] != want[i].ID {
			t.Fatalf("CSV row %d is %s, want %s", i, r[0], want[i].ID)
		}
	}

	// A filtered export holds exactly the matching half; an empty one is just the header.
	var half bytes.Buffer
	f.Action = "alias.rollback"
	if err := st.Export(ctx, sc.DynamoDB, org, f, audit.FormatJSONL, &half); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(half.String(), "\n"); lines != 60 {
		t.Fatalf("filtered export has %d lines, want 60", lines)
	}
	var empty bytes.Buffer
	f.Action = "org.delete"
	if err := st.Export(ctx, sc.DynamoDB, org, f, audit.FormatCSV, &empty); err != nil {
		t.Fatal(err)
	}
	if empty.String() != strings.Join(audit.CSVHeader, ",")+"\n" {
		t.Fatalf("empty CSV export: %q", empty.String())
	}
	err = st.Export(ctx, sc.DynamoDB, org, f, "xlsx", &empty)
	wantErr(t, err, apperr.Invalid, "invalid_export_format")
}
