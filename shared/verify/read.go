package verify

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// maxPage is trace.Store.List's largest page.
const maxPage = 1000

// span is a time range [From, To).
type span struct{ From, To time.Time }

// windows are the before and after ranges of r's verification at now. The
// after range is empty (From == To) when now is not after the apply.
func (v *Verifier) windows(r recommend.Recommendation, now time.Time) (before, after span) {
	at := r.Apply.At.UTC()
	from := at
	if lo := now.Add(-v.cfg.MaxAfter); lo.After(from) {
		from = lo
	}
	if !now.After(from) {
		from = now
	}
	return span{at.Add(-v.cfg.Before), at}, span{from, now}
}

// read returns the sample of r's alias's calls in w, in r's workspace:
// the range in slices of cfg.Slice from its end back, each read newest
// first up to its share of cfg.MaxTraces (rounded up), with feedback
// scores joined.
func (v *Verifier) read(ctx context.Context, db *dynamodb.Client, org string, r recommend.Recommendation, w span) (sample, error) {
	from, to := w.From, w.To
	s := sample{span: w, Slice: v.cfg.Slice}
	if !from.Before(to) {
		return s, nil
	}
	slices := int((to.Sub(from) + v.cfg.Slice - 1) / v.cfg.Slice)
	s.PerSlice = (v.cfg.MaxTraces + slices - 1) / slices
	for k := range slices {
		hi := to.Add(-time.Duration(k) * v.cfg.Slice)
		lo := hi.Add(-v.cfg.Slice)
		if lo.Before(from) {
			lo = from
		}
		got, cursor := 0, ""
		for got < s.PerSlice {
			page, next, err := v.cfg.Traces.List(ctx, db, org, trace.Query{
				From: lo, To: hi, Workspace: r.Workspace, Alias: r.Alias,
				Limit: min(s.PerSlice-got, maxPage), Cursor: cursor,
			})
			if err != nil {
				return s, fmt.Errorf("read calls of %s: %w", lo.Format(time.RFC3339), err)
			}
			for i := range page {
				s.add(&page[i])
			}
			got += len(page)
			if next == "" {
				break
			}
			cursor = next
		}
		if got >= s.PerSlice {
			s.Capped = true
		}
	}
	if err := v.scores(ctx, db, org, r.Workspace, &s); err != nil {
		return s, err
	}
	return s, nil
}

// scores joins the feedback of s's calls, keeping only scores sent from
// r's workspace (a trace ID belongs to the first workspace that rated it).
func (v *Verifier) scores(ctx context.Context, db *dynamodb.Client, org, ws string, s *sample) error {
	if len(s.ids) == 0 {
		return nil
	}
	got, err := v.cfg.Feedback.Get(ctx, db, org, s.ids)
	if err != nil {
		return fmt.Errorf("read feedback: %w", err)
	}
	for _, id := range s.ids {
		if sc, ok := got[id]; ok && sc.Workspace == ws {
			s.Scores = append(s.Scores, sc.Value)
		}
	}
	return nil
}
