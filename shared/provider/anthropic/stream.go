package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

// stream turns Anthropic's named server-sent events into OpenAI-shaped
// chunks. Recv is not safe for concurrent use; Close may be called from any
// goroutine.
type stream struct {
	ctx    context.Context
	cancel context.CancelFunc
	body   io.ReadCloser
	events *sse.Reader

	id      string
	model   string
	created int64
	started bool // a chunk was emitted, so id and model are fixed

	tools    map[int]int // content block index → tool call index
	usage    Usage       // message_start's usage, updated by message_delta
	sawUsage bool

	pending *chat.Chunk // the first chunk, read before Stream returned
	err     error       // sticky: io.EOF after message_stop, or the failure

	closeOnce sync.Once
	closeErr  error
}

var _ provider.Stream = (*stream)(nil)

func newStream(ctx context.Context, cancel context.CancelFunc, body io.ReadCloser, model string, created int64) *stream {
	return &stream{
		ctx: ctx, cancel: cancel, body: body, events: sse.NewReader(body),
		model: model, created: created, tools: make(map[int]int),
	}
}

// prime reads up to the first chunk, so that an error event, a dropped
// connection or a deadline before any content is returned from Stream.
func (s *stream) prime() error {
	c, err := s.next()
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	s.pending = c
	return nil
}

// Recv returns the next chunk, or io.EOF after message_stop.
func (s *stream) Recv() (*chat.Chunk, error) {
	if c := s.pending; c != nil {
		s.pending = nil
		return c, nil
	}
	return s.next()
}

// Close releases the connection and cancels the request; it is idempotent.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.body.Close()
		s.cancel()
	})
	return s.closeErr
}

func (s *stream) next() (*chat.Chunk, error) {
	if s.err != nil {
		return nil, s.err
	}
	for {
		ev, err := s.events.Next()
		if err != nil {
			if errors.Is(err, sse.ErrEventTooLarge) {
				s.err = invalidResponse(http.StatusOK, fmt.Errorf("read event: %w", err))
			} else {
				s.err = interrupted(s.ctx, err)
			}
			return nil, s.err
		}
		c, err := s.handle(ev)
		if err != nil {
			s.err = err
			return nil, err
		}
		if c != nil {
			s.started = true
			return c, nil
		}
	}
}

// handle converts one event into a chunk, or nil for events that carry
// nothing a client sees (ping, content_block_stop, thinking blocks, unknown
// event types, which Anthropic asks clients to tolerate).
func (s *stream) handle(ev sse.Event) (*chat.Chunk, error) {
	var e StreamEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil {
		return nil, invalidResponse(http.StatusOK, fmt.Errorf("decode %s event: %w", ev.Event, err))
	}
	typ := e.Type
	if typ == "" {
		typ = ev.Event
	}
	switch typ {
	case "message_start":
		s.start(e.Message)
		return s.delta(chat.Delta{Role: chat.RoleAssistant, Content: new(string)}), nil
	case "content_block_start":
		return s.blockStart(e.Index, e.ContentBlock), nil
	case "content_block_delta":
		return s.blockDelta(e.Index, e.Delta)
	case "message_delta":
		s.mergeUsage(e.Usage)
		if e.Delta == nil || e.Delta.StopReason == "" {
			return nil, nil
		}
		reason := finishReason(e.Delta.StopReason)
		c := s.chunk()
		c.Choices = []chat.ChunkChoice{{Index: 0, FinishReason: &reason}}
		return c, nil
	case "message_stop":
		s.err = io.EOF
		if !s.sawUsage {
			return nil, io.EOF
		}
		c := s.chunk()
		c.Choices = []chat.ChunkChoice{}
		c.Usage = toUsage(s.usage)
		return c, nil
	case "error":
		return nil, eventError(e.Error)
	}
	return nil, nil
}

// start records message_start: the message id and model name every chunk
// carries, and the input side of usage.
func (s *stream) start(m *Response) {
	if m == nil {
		return
	}
	if !s.started {
		if m.ID != "" {
			s.id = m.ID
		}
		if m.Model != "" {
			s.model = m.Model
		}
	}
	s.usage = m.Usage
	s.sawUsage = true
}

func (s *stream) blockStart(index int, b *ContentBlock) *chat.Chunk {
	if b == nil {
		return nil
	}
	switch b.Type {
	case "text":
		if b.Text != "" {
			return s.delta(chat.Delta{Content: &b.Text})
		}
	case "tool_use":
		n := len(s.tools)
		s.tools[index] = n
		return s.delta(chat.Delta{ToolCalls: []chat.ToolCall{{
			Index: &n, ID: b.ID, Type: "function",
			Function: chat.FunctionCall{Name: b.Name},
		}}})
	}
	return nil
}

func (s *stream) blockDelta(index int, d *EventDelta) (*chat.Chunk, error) {
	if d == nil {
		return nil, nil
	}
	switch d.Type {
	case "text_delta":
		if d.Text != "" {
			return s.delta(chat.Delta{Content: &d.Text}), nil
		}
	case "input_json_delta":
		n, ok := s.tools[index]
		if !ok {
			return nil, invalidResponse(http.StatusOK, fmt.Errorf("input_json_delta for content block %d, which is not a tool_use block", index))
		}
		if d.PartialJSON != "" {
			return s.delta(chat.Delta{ToolCalls: []chat.ToolCall{{
				Index: &n, Function: chat.FunctionCall{Arguments: d.PartialJSON},
			}}}), nil
		}
	}
	return nil, nil
}

// mergeUsage applies message_delta's cumulative counts over message_start's.
func (s *stream) mergeUsage(u *UsageDelta) {
	if u == nil {
		return
	}
	s.sawUsage = true
	set := func(dst *int64, v *int64) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.usage.InputTokens, u.InputTokens)
	set(&s.usage.OutputTokens, u.OutputTokens)
	set(&s.usage.CacheCreationInputTokens, u.CacheCreationInputTokens)
	set(&s.usage.CacheReadInputTokens, u.CacheReadInputTokens)
}

func (s *stream) delta(d chat.Delta) *chat.Chunk {
	c := s.chunk()
	c.Choices = []chat.ChunkChoice{{Index: 0, Delta: d}}
	return c
}

func (s *stream) chunk() *chat.Chunk {
	return &chat.Chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model}
}
