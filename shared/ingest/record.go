package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// Result is one event's outcome, in the order the events were sent.
type Result struct {
	Index int    `json:"index"`
	ID    string `json:"id,omitempty"`
	// Status is accepted, duplicate (already recorded: nothing written) or
	// rejected (see Code and Message).
	Status  string   `json:"status"`
	Code    string   `json:"code,omitempty"`
	Message string   `json:"message,omitempty"`
	Flags   []string `json:"flags,omitempty"`
}

// slot is one event of a request, from decoding to its result.
type slot struct {
	p      *pending
	result Result
}

// rejectSlot records a rejection on s.
func (s *slot) rejectSlot(e *apperr.Error) {
	s.p = nil
	s.result.Status, s.result.Code, s.result.Message = StatusRejected, e.Code, e.Message
}

// markRepeats turns every later event with an ID already seen in the
// request into a duplicate, so the outcome does not depend on which of the
// concurrent writes lands first.
func markRepeats(slots []slot) {
	seen := make(map[string]bool, len(slots))
	for i := range slots {
		s := &slots[i]
		if s.p == nil {
			continue
		}
		if seen[s.p.tr.ID] {
			s.p, s.result.Status = nil, StatusDuplicate
			continue
		}
		seen[s.p.tr.ID] = true
	}
}

// writeAll seals and records every pending event, at most Concurrency at a
// time, and returns how many failed for want of the store, with the first
// such error (for the log).
func (h *Handler) writeAll(ctx context.Context, c *caller, slots []slot) (failed int, firstErr error) {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		sem = make(chan struct{}, h.cfg.Concurrency)
	)
	retention := time.Duration(c.snap.Settings.RetentionDays) * 24 * time.Hour
	for i := range slots {
		s := &slots[i]
		if s.p == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := h.write(ctx, c, s, retention); err != nil {
				mu.Lock()
				failed++
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed, firstErr
}

// errStore is what a caller sees when an event could not be kept: the
// batch may be retried as a whole, since recorded events are duplicates.
var errStore = apperr.New(apperr.Unavailable, "store_unavailable", "the event could not be stored; retry the batch")

// write seals the event's text when it is kept, then records the trace
// once. The result says whether it was new.
func (h *Handler) write(ctx context.Context, c *caller, s *slot, retention time.Duration) error {
	tr := s.p.tr
	if s.p.content != nil {
		sealed, err := h.cfg.Sealer.Seal(ctx, secrets.Scope{Org: tr.Org, DynamoDB: c.scoped.DynamoDB, KMS: c.scoped.KMS},
			contentPurpose, tr.ID, s.p.content)
		if err != nil {
			s.rejectSlot(errStore)
			return err
		}
		tr.SealedContent = sealed
	}
	dup, err := h.cfg.Traces.Record(ctx, c.scoped.DynamoDB, tr, retention)
	switch {
	case err != nil:
		s.rejectSlot(errStore)
		return err
	case dup:
		s.result.Status, s.result.Flags = StatusDuplicate, nil
	default:
		s.result.Status, s.result.Flags = StatusAccepted, s.p.flags
	}
	// The trace is stored: now its feedback_score, if any (a duplicate's
	// too, so a batch retried after a failed feedback write converges).
	return h.writeEventFeedback(ctx, c, s, retention)
}
