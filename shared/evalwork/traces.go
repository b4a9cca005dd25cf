package evalwork

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/score"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// TraceWindow is how far back a traces source looks: opted-in content is
// redacted after at most a workspace's redaction window anyway.
const TraceWindow = 30 * 24 * time.Hour

// traceSource yields opted-in traces of a workspace (optionally of one
// alias) that still hold their sealed text: the conversation is asked
// again, and the recorded answer is the "live" baseline.
type traceSource struct {
	s       *trace.Store
	db      DB
	keys    Keys
	org, ws string
	alias   string // "" for every call of the workspace
	now     time.Time
}

func (t *traceSource) refs(ctx context.Context) ([]string, error) {
	q := trace.Query{From: t.now.Add(-TraceWindow), To: t.now.Add(time.Second), Workspace: t.ws, Alias: t.alias, Limit: 1000}
	var out []string
	for len(out) < MaxShadowItems {
		page, cursor, err := t.s.List(ctx, t.db, t.org, q)
		if err != nil {
			return nil, err
		}
		for _, tr := range page {
			if tr.RedactAt > t.now.Unix() && tr.Status == trace.StatusOK && len(out) < MaxShadowItems {
				out = append(out, tr.Time.UTC().Format(time.RFC3339Nano)+"|"+tr.ID)
			}
		}
		if cursor == "" {
			break
		}
		q.Cursor = cursor
	}
	return out, nil
}

func (t *traceSource) Entry(ctx context.Context, ref string) (Entry, error) {
	at, id, ok := strings.Cut(ref, "|")
	when, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil {
		return Entry{}, fmt.Errorf("trace reference: %w", errBadMessage)
	}
	sealed, err := t.s.Content(ctx, t.db, t.org, id, when)
	if err != nil {
		return Entry{}, err
	}
	plain, err := t.keys.Open(ctx, trace.ContentPurpose, id, sealed)
	if err != nil {
		return Entry{}, fmt.Errorf("open trace content: %w", err)
	}
	text, err := trace.DecodeText(plain)
	if err != nil {
		return Entry{}, err
	}
	var live *Live
	if text.Output != "" {
		live = &Live{Output: text.Output}
	}
	return Entry{Item: score.Item{Messages: text.Messages}, Live: live}, nil
}

// Scored leaves the trace alone: its content is kept or redacted by the
// workspace's retention, not by evaluations.
func (t *traceSource) Scored(context.Context, string) error { return nil }
