package gemini

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

// stream turns streamGenerateContent's SSE events, each a whole
// GenerateContentResponse, into chunks.
//
// Gemini sends no end marker: the stream ends when the body does. A body
// that ends inside an event is a dropped connection (sse reports
// io.ErrUnexpectedEOF), and so is one that ends cleanly before any
// candidate has finished — the last content-bearing event of a complete
// stream always carries a finishReason (or the prompt was blocked). Usage
// arrives cumulatively on each event; the last one seen is emitted, after a
// normal end only, on a final chunk with no choices. A broken stream
// reports no usage, so the caller bills its estimate.
type stream struct {
	ctx    context.Context
	cancel context.CancelFunc
	body   io.ReadCloser
	events *sse.Reader
	key    string

	id      string
	model   string
	created int64

	choices  map[int]*choiceState
	calls    int // tool calls so far, for call_<n> ids
	usage    *chat.Usage
	finished bool  // the last content-bearing event finished a candidate
	err      error // sticky: once set, every Recv returns it

	closed    atomic.Bool
	closeOnce sync.Once
}

// errClosed is returned by Recv after Close.
var errClosed = errors.New("gemini: stream closed")

// choiceState is what a stream remembers about one candidate.
type choiceState struct {
	started  bool // the role delta was sent
	hadCalls bool // a function call was sent, so STOP means tool_calls
}

// Recv returns the next chunk, or io.EOF after the normal end.
func (s *stream) Recv() (*chat.Chunk, error) {
	if s.err != nil {
		return nil, s.err
	}
	for {
		if s.closed.Load() {
			return nil, s.fail(errClosed)
		}
		ev, err := s.events.Next()
		if err != nil {
			if s.closed.Load() {
				return nil, s.fail(errClosed)
			}
			return s.end(err)
		}
		var w generateContentResponse
		if err := json.Unmarshal(ev.Data, &w); err != nil {
			return nil, s.fail(invalidResponse(200, fmt.Errorf("decode event: %w", err)))
		}
		if w.Error != nil {
			return nil, s.fail(eventError(w.Error, s.key))
		}
		if c := s.chunk(&w); c != nil {
			return c, nil
		}
	}
}

// end handles the body ending or failing.
func (s *stream) end(err error) (*chat.Chunk, error) {
	switch {
	case errors.Is(err, io.EOF) && s.finished:
		s.err = io.EOF
		if s.usage != nil {
			return &chat.Chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
				Choices: []chat.ChunkChoice{}, Usage: s.usage}, nil
		}
		return nil, io.EOF
	case errors.Is(err, io.EOF):
		return nil, s.fail(interrupted(s.ctx, io.ErrUnexpectedEOF))
	case errors.Is(err, sse.ErrEventTooLarge):
		return nil, s.fail(invalidResponse(200, err))
	}
	return nil, s.fail(interrupted(s.ctx, err))
}

func (s *stream) fail(err error) error {
	s.err = err
	return err
}

// chunk converts one event, or returns nil when it carries nothing for the
// client (a usage-only event).
func (s *stream) chunk(w *generateContentResponse) *chat.Chunk {
	if s.id == "" {
		s.id = responseID(w.ResponseID)
		if w.ModelVersion != "" {
			s.model = w.ModelVersion
		}
	}
	if w.UsageMetadata != nil {
		s.usage = usage(w.UsageMetadata)
	}
	var choices []chat.ChunkChoice
	finished, content := false, false
	if len(w.Candidates) == 0 && blocked(w) {
		choices = append(choices, s.choice(0, chat.Delta{}, chat.FinishContentFilter))
		finished = true
	}
	for i, c := range w.Candidates {
		idx := candidateIndex(c, i)
		st := s.state(idx)
		text, calls := candidateParts(c.Content, &s.calls, true)
		var d chat.Delta
		if text != "" {
			d.Content = &text
		}
		if len(calls) > 0 {
			d.ToolCalls = calls
			st.hadCalls = true
		}
		content = content || text != "" || len(calls) > 0
		reason := finishReason(c.FinishReason, st.hadCalls)
		finished = finished || reason != ""
		choices = append(choices, s.choice(idx, d, reason))
	}
	if finished {
		s.finished = true
	} else if content {
		s.finished = false
	}
	if len(choices) == 0 {
		return nil
	}
	return &chat.Chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model, Choices: choices}
}

// choice builds one chunk choice, adding the role to a candidate's first delta.
func (s *stream) choice(idx int, d chat.Delta, reason string) chat.ChunkChoice {
	st := s.state(idx)
	if !st.started {
		d.Role = chat.RoleAssistant
		st.started = true
	}
	cc := chat.ChunkChoice{Index: idx, Delta: d}
	if reason != "" {
		cc.FinishReason = &reason
	}
	return cc
}

func (s *stream) state(idx int) *choiceState {
	st, ok := s.choices[idx]
	if !ok {
		st = &choiceState{}
		s.choices[idx] = st
	}
	return st
}

// Close cancels the request and closes the body; it is safe to call twice.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.cancel()
		_ = s.body.Close()
	})
	return nil
}
