package audit

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Export formats.
const (
	FormatJSONL = "jsonl" // one JSON object per line, for machines
	FormatCSV   = "csv"   // one row per entry under a header, for spreadsheets
)

// CSVHeader is the header row of WriteCSV and Export's CSV, in column order.
var CSVHeader = []string{
	"id", "time", "org", "actor", "actor_kind", "action", "target_type", "target_id",
	"workspace", "source_ip", "user_agent", "result", "before", "after",
}

// WriteJSONL writes entries one JSON object per line, in the given order.
func WriteJSONL(w io.Writer, entries []Entry) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("write audit entry %s as JSON: %w", e.ID, err)
		}
	}
	return nil
}

// WriteCSV writes CSVHeader and one row per entry. Before and After are
// compact JSON in their columns. Every cell that a spreadsheet would read
// as a formula is neutralized (see csvCell), because an export is opened by
// people, and its cells hold text that callers and clients chose.
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("write audit CSV header: %w", err)
	}
	return writeCSVRows(cw, entries)
}

func writeCSVRows(cw *csv.Writer, entries []Entry) error {
	for _, e := range entries {
		row, err := csvRow(e)
		if err != nil {
			return err
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write audit entry %s as CSV: %w", e.ID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write audit CSV: %w", err)
	}
	return nil
}

func csvRow(e Entry) ([]string, error) {
	var sides [2]string
	for i, d := range []map[string]any{e.Before, e.After} {
		if len(d) == 0 {
			continue
		}
		b, err := encodeJSON(d)
		if err != nil {
			return nil, fmt.Errorf("encode audit entry %s diff: %w", e.ID, err)
		}
		sides[i] = string(b)
	}
	row := []string{
		e.ID, e.Time.UTC().Format(time.RFC3339Nano), e.Org, e.Actor, e.ActorKind, e.Action, e.TargetType, e.TargetID,
		e.Workspace, e.SourceIP, e.UserAgent, e.Result, sides[0], sides[1],
	}
	for i := range row {
		row[i] = csvCell(row[i])
	}
	return row, nil
}

// csvCell prefixes a cell that spreadsheets would evaluate (=, +, -, @, or
// a leading tab or carriage return) with a quote, so it is shown as text
// (OWASP's CSV injection guidance).
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Export streams every entry of org that f selects, newest first, to w in
// format (FormatJSONL or FormatCSV), paging List with the largest page (MaxLimit). It
// starts from f.Cursor when set; f.Limit is ignored. On an error part of the
// export may already have been written.
func (st *Store) Export(ctx context.Context, db DB, org string, f Filter, format string, w io.Writer) error {
	var write func([]Entry) error
	switch format {
	case FormatJSONL:
		write = func(page []Entry) error { return WriteJSONL(w, page) }
	case FormatCSV:
		cw := csv.NewWriter(w)
		header := false
		write = func(page []Entry) error {
			if !header {
				header = true
				if err := cw.Write(CSVHeader); err != nil {
					return fmt.Errorf("write audit CSV header: %w", err)
				}
			}
			return writeCSVRows(cw, page)
		}
	default:
		return invalid("invalid_export_format", "format", "format must be jsonl or csv")
	}
	if f.To.IsZero() {
		f.To = st.clock().Add(time.Nanosecond) // as List's default, fixed once, so every page lists the same range
	}
	f.Limit = st.exportPage
	for {
		page, next, err := st.List(ctx, db, org, f)
		if err != nil {
			return err
		}
		if err := write(page); err != nil {
			return apperr.Wrap(fmt.Errorf("export audit log: %w", err), apperr.Unavailable, "audit_export_write",
				"the export could not be written")
		}
		if next == "" {
			return nil
		}
		f.Cursor = next
	}
}
